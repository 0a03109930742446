import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Activity } from "botbuilder";

/** The project root, found from wherever the compiled test runs (dist/tests/...). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("package.json not found above " + __dirname);
    dir = parent;
  }
  return dir;
}

/** A Teams activity from tests/fixtures/teams (a fresh copy each call). */
export function loadTeamsActivity(name: string): Activity {
  return JSON.parse(readFileSync(path.join(projectRoot(), "tests", "fixtures", "teams", `${name}.json`), "utf8")) as Activity;
}

/**
 * The Adaptive Card 1.5 schema copied into tests/fixtures/adaptive-card. It is draft-06 and names itself
 * with `id`; ajv 8 only reads `$id`, so the root id is moved there (the only `id` keyword in the file;
 * the other `id`s are property names).
 */
export function loadAdaptiveCardSchema(): Record<string, unknown> {
  const { id, ...schema } = JSON.parse(
    readFileSync(path.join(projectRoot(), "tests", "fixtures", "adaptive-card", "1.5.0-adaptive-card.json"), "utf8"),
  ) as Record<string, unknown>;
  return typeof id === "string" ? { $id: id, ...schema } : schema;
}
