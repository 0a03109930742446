import { dirname, join, normalize } from "node:path";
import { codeIn } from "./markdown";

/**
 * The project commands a document tells its reader to run, and the evidence that a test (or CI) runs
 * each of them, for tests/unit/docs/project-commands.test.ts.
 */

/** npm commands that are npm's own rather than package.json scripts. */
export const NPM_BUILTINS = ["ci"] as const;

/** `npm start`, `npm test` and `npm run <x>` name package.json scripts; `npm ci` is npm's own. */
export function npmCommandsIn(markdown: string): string[] {
  const found = new Set<string>();
  for (const code of codeIn(markdown)) {
    for (const match of code.matchAll(/(?:^|[\s;&|(`])npm\s+(?:run(?:-script)?\s+([\w:.-]+)|([a-z][\w-]*))/g)) {
      found.add(match[1] ?? match[2]!);
    }
  }
  return [...found].sort();
}

/** The files a package.json script runs with node, without `dist/` and `.js`: `tools/package-deploy`. */
export function modulesRunBy(script: string): string[] {
  return [...script.matchAll(/\bdist\/((?:src|tools|bench)\/[\w./-]+?)\.js\b/g)].map((m) => m[1]!);
}

/**
 * True when `runnerText` (the file at `runnerPath`, relative to the root) runs `name`: as a shell line
 * (`npm run name`, `npm name`), as npm's arguments in code (`["start"]`, `["run", "name"]`), or by naming
 * one of `modules` in a relative path or import that resolves to it from the runner's folder (a test
 * under tests/ resolves as the compiled one does from dist/tests/).
 */
export function runsScript(runnerText: string, runnerPath: string, name: string, modules: readonly string[]): boolean {
  const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const shell = new RegExp(`^\\s*npm\\s+(?:run\\s+)?${quoted}(?:\\s|$)`, "m");
  const argv = new RegExp(`\\[\\s*(?:"run",\\s*)?"${quoted}"\\s*[\\],]`);
  // The operator commands' tests run the built module the script runs (dist/src/<name>.js) by name.
  const operator = new RegExp(`runOperatorCommand\\(\\s*"${quoted}"`);
  if (shell.test(runnerText) || argv.test(runnerText) || (operator.test(runnerText) && modules.includes(`src/${name}`))) return true;
  const folder = dirname(runnerPath);
  for (const literal of runnerText.matchAll(/["'](\.\.?\/[^"'\s]+)["']/g)) {
    const target = normalize(join(folder, literal[1]!))
      .replace(/\.(js|ts)$/, "")
      .split("\\")
      .join("/");
    if (modules.includes(target)) return true;
  }
  return false;
}
