import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AppManifestUtils } from "@microsoft/app-manifest";
import { buildAppPackage, fillManifest } from "../../../tools/build-app-package";

const ROOT = resolve(__dirname, "../../../..");
const APP_ID = "11111111-2222-3333-4444-555555555555";

/** Reads the names in a zip's central directory (enough to check the package's content). */
function zipNames(zip: Buffer): string[] {
  const names: string[] = [];
  let at = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(at + 10);
  at = zip.readUInt32LE(at + 16);
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString("utf8"));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

describe("Teams app package", () => {
  it("the filled manifest is valid against the Teams schema it names (validated offline)", async () => {
    const manifest = JSON.parse(fillManifest(readFileSync(join(ROOT, "appPackage/manifest.json"), "utf8"), { MicrosoftAppId: APP_ID }));
    const errors = await AppManifestUtils.validateAgainstSchema(manifest);
    assert.deepEqual(errors, []);
    assert.deepEqual(manifest.bots[0].scopes, ["team"]);
    assert.equal(manifest.authorization.permissions.resourceSpecific[0].name, "ChannelMessage.Read.Group");
  });

  it("a broken manifest is reported (the check can fail)", async () => {
    const manifest = JSON.parse(fillManifest(readFileSync(join(ROOT, "appPackage/manifest.json"), "utf8"), { MicrosoftAppId: APP_ID }));
    delete manifest.developer.privacyUrl;
    manifest.bots[0].scopes = ["channel"];
    assert.ok((await AppManifestUtils.validateAgainstSchema(manifest)).length >= 2);
  });

  it("refuses to build without an app id, naming the variable", () => {
    assert.throws(() => fillManifest('{"id":"{{MicrosoftAppId}}"}', {}), /missing value for MicrosoftAppId/);
  });

  it("zips the manifest and both icons at the root of the package", () => {
    const work = mkdtempSync(join(tmpdir(), "apppkg-"));
    cpSync(join(ROOT, "appPackage"), join(work, "appPackage"), { recursive: true });
    const { path } = buildAppPackage(work, { MicrosoftAppId: APP_ID });
    const zip = readFileSync(path);
    assert.deepEqual(zipNames(zip), ["manifest.json", "color.png", "outline.png"]);
    const color = readFileSync(join(work, "appPackage/color.png"));
    assert.equal(color.readUInt32BE(16), 192, "color icon is 192 px wide");
    assert.equal(readFileSync(join(work, "appPackage/outline.png")).readUInt32BE(16), 32, "outline icon is 32 px wide");
  });
});
