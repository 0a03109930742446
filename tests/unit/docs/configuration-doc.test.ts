import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { botbuilderKeys, loadConfig } from "../../../src/config";
import { CONFIG_DOC_PATH, renderConfigurationDoc } from "../../../tools/config-doc/main";
import { VARIABLE_FACTS } from "../../../tools/config-doc/variable-facts";
import { ROOT } from "./doc-files";
import { codeSpans, tableRows } from "./markdown";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The variables of .env.example, read on their own terms: `NAME=…` lines and commented-out `# NAME=` lines. */
function exampleVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line) ?? /^#\s?([A-Za-z_][A-Za-z0-9_]*)=\S*$/.exec(line.trim());
    if (match) names.add(match[1]!);
  }
  return names;
}

/** The variables in the doc's tables: the code spans of each row's first cell. */
function documentedVariables(doc: string): Set<string> {
  return new Set(tableRows(doc).flatMap((row) => codeSpans(row[0] ?? "")));
}

/** Every variable src/config.ts reads: the keys of its zod schema(s) (src/config-schema.ts) and botbuilder's keys it passes through. */
function configVariables(): Set<string> {
  const source = ts.createSourceFile("config-schema.ts", read("src/config-schema.ts"), ts.ScriptTarget.ES2022, true);
  const names = new Set<string>(botbuilderKeys);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText(source) === "z.object") {
      const shape = node.arguments[0];
      if (shape && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) if (property.name) names.add(property.name.getText(source).replace(/^["']|["']$/g, ""));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

const sorted = (s: Set<string>) => [...s].sort();

/** A local setup and a production one, as little as each needs: defaults are checked against both. */
const BASES: Record<string, Record<string, string>> = {
  local: { WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true" },
  production: {
    NODE_ENV: "production",
    // Production refuses webhook secrets shorter than 16 characters (src/config-guards.ts).
    WHATSAPP_APP_SECRET: "3f9a2c1b04de7e55a1",
    WHATSAPP_VERIFY_TOKEN: "verify-7d1e0c55b2a94f",
    WHATSAPP_ACCESS_TOKEN: "EAAG-system-user-token",
    MicrosoftAppType: "UserAssignedMsi",
    MicrosoftAppId: "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b",
    MicrosoftAppTenantId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    AZURE_STORAGE_ACCOUNT_NAME: "bridgestore",
    BRIDGE_ADMINS: "00000000-0000-0000-0000-000000000000",
    MEDIA_SHAREPOINT_DRIVE_ID: "b!drive",
  },
};

describe("docs/configuration.md", () => {
  it("is what npm run docs:config writes from .env.example (regenerate it after changing .env.example)", () => {
    assert.equal(read(CONFIG_DOC_PATH), renderConfigurationDoc(read(".env.example")));
  });

  it("documents exactly the variables of .env.example", () => {
    assert.deepEqual(sorted(documentedVariables(read(CONFIG_DOC_PATH))), sorted(exampleVariables(read(".env.example"))));
  });

  it("covers every variable src/config.ts reads, in .env.example and in the doc", () => {
    const read_ = configVariables();
    assert.ok(read_.has("WHATSAPP_APP_SECRET") && read_.has("MicrosoftAppId") && read_.size > 40, sorted(read_).join(", "));
    const example = exampleVariables(read(".env.example"));
    const doc = documentedVariables(read(CONFIG_DOC_PATH));
    assert.deepEqual(
      sorted(read_).filter((n) => !example.has(n)),
      [],
      "missing from .env.example",
    );
    assert.deepEqual(
      sorted(read_).filter((n) => !doc.has(n)),
      [],
      "missing from docs/configuration.md",
    );
  });

  it("states defaults src/config.ts really applies: setting a variable to its documented default changes nothing", () => {
    const checked: string[] = [];
    for (const [name, facts] of Object.entries(VARIABLE_FACTS)) {
      if (facts.default === "none" || !("value" in facts.default)) continue;
      for (const [label, base] of Object.entries(BASES)) {
        if (name in base) continue;
        assert.deepEqual(loadConfig({ ...base, [name]: facts.default.value }), loadConfig(base), `${name}=${facts.default.value} (${label})`);
        checked.push(name);
      }
    }
    assert.ok(new Set(checked).size >= 30, `only ${new Set(checked).size} defaults checked`);
    // The comparison sees a change when there is one.
    assert.notDeepEqual(loadConfig({ ...BASES.local!, PORT: "3979" }), loadConfig(BASES.local!));
  });

  it("cannot be generated while a variable lacks its facts, or facts name a variable .env.example lacks", () => {
    const example = read(".env.example");
    assert.throws(
      () => renderConfigurationDoc(`${example}\n# --- New ---\n# Something new\nNEW_SETTING=1\n`),
      /no default\/production entry .* for NEW_SETTING/,
    );
    const withoutPort = example.replace(/^# Listen port.*\nPORT=.*\n/m, "");
    assert.notEqual(withoutPort, example);
    assert.throws(() => renderConfigurationDoc(withoutPort), /does not have: PORT/);
    assert.throws(() => renderConfigurationDoc(`${example}\n# A comment about nothing\n\nPORT=1\n`), /line \d+: a comment that describes no variable/);
  });
});
