/**
 * Builds the Teams app package: appPackage/manifest.json with its {{placeholders}} filled in, plus the two
 * icons, zipped into appPackage/build/whatsapp-bridge.zip (what a tenant admin uploads in the Teams admin
 * center). Values come from the environment or a .env file: MicrosoftAppId (required) and optionally
 * DEVELOPER_NAME, DEVELOPER_WEBSITE_URL, DEVELOPER_PRIVACY_URL, DEVELOPER_TERMS_URL.
 *
 *   npm run package:app
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { writeZip } from "./zip";

const DEFAULTS: Record<string, string> = {
  DEVELOPER_NAME: "Your organisation",
  DEVELOPER_WEBSITE_URL: "https://www.microsoft.com/microsoft-365/microsoft-teams",
  DEVELOPER_PRIVACY_URL: "https://privacy.microsoft.com/privacystatement",
  DEVELOPER_TERMS_URL: "https://www.microsoft.com/legal/terms-of-use",
};

/** Fills `{{NAME}}` placeholders; throws naming any that has no value. */
export function fillManifest(template: string, values: Record<string, string | undefined>): string {
  const missing = new Set<string>();
  const filled = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name] ?? DEFAULTS[name];
    if (!value) missing.add(name);
    return value ?? "";
  });
  if (missing.size > 0) throw new Error(`missing value for ${[...missing].join(", ")} (set it in the environment or .env)`);
  return filled;
}

export function buildAppPackage(root: string, values: Record<string, string | undefined>): { path: string; manifest: unknown } {
  const dir = join(root, "appPackage");
  const manifestText = fillManifest(readFileSync(join(dir, "manifest.json"), "utf8"), values);
  const manifest = JSON.parse(manifestText) as { icons: { color: string; outline: string } };
  const files = [
    { name: "manifest.json", data: Buffer.from(manifestText, "utf8") },
    { name: manifest.icons.color, data: readFileSync(join(dir, manifest.icons.color)) },
    { name: manifest.icons.outline, data: readFileSync(join(dir, manifest.icons.outline)) },
  ];
  mkdirSync(join(dir, "build"), { recursive: true });
  const path = join(dir, "build", "whatsapp-bridge.zip");
  writeZip(path, files);
  return { path, manifest };
}

if (require.main === module) {
  const root = resolve(__dirname, "../..");
  const dotEnv = join(root, ".env");
  const values = { ...(existsSync(dotEnv) ? parseEnv(readFileSync(dotEnv, "utf8")) : {}), ...process.env };
  try {
    const { path } = buildAppPackage(root, values);
    console.log(`Teams app package written to ${path}`);
  } catch (err) {
    console.error(`Cannot build the app package: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
