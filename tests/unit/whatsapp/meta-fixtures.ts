import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The project root, found from wherever the compiled test runs (dist/tests/...). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("package.json not found above " + __dirname);
    dir = parent;
  }
  return dir;
}

export const META_FIXTURES_DIR = path.join(projectRoot(), "tests", "fixtures", "meta");

/** Names (without .json) of every example webhook body in tests/fixtures/meta. */
export function metaFixtureNames(): string[] {
  return readdirSync(META_FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The exact bytes of a fixture (signatures are computed over bytes) and its parsed JSON. */
export function loadMetaFixture(name: string): { raw: Buffer; json: unknown } {
  const raw = readFileSync(path.join(META_FIXTURES_DIR, `${name}.json`));
  return { raw, json: JSON.parse(raw.toString("utf8")) as unknown };
}
