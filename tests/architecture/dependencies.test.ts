import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import {
  ADAPTER_FOLDERS,
  BRIDGE_FOLDER_IMPORTS,
  COMPOSITION_FILES,
  CORE_FOUNDATION_NOT_INTO,
  CONFIG_FILE,
  CONFIG_IMPORTERS,
  PORT_TYPE_FILES,
  SDK_HOMES,
  SHARED_ADAPTER_FILES,
} from "./dependency-rules";

const ROOT = resolve(__dirname, "../../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

interface Import {
  readonly from: string;
  readonly spec: string;
  /** project-relative path for relative imports */ readonly target?: string;
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
  return info.importedFiles.map(({ fileName: spec }) => {
    if (!spec.startsWith(".")) return { from: file, spec };
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\\/g, "/");
    return { from: file, spec, target: target.endsWith(".ts") ? target : `${target}.ts` };
  });
}

const inside = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const adapterOf = (path: string) => ADAPTER_FOLDERS.find((f) => inside(path, f));
const files = sourceFiles("src").map((f) => f.replace(/\\/g, "/"));
const imports = files.flatMap(importsOf);
/** Meta's WhatsApp error codes of the 130000–134999 range (throughput, pair rate, window, templates, …). */
const META_CODE = /\b13[0-4]\d{3}\b/;
/** A notice with its words and tone written in place (what notices.ts and the catalogue replace). */
const WORDED_NOTICE = /\btone\s*:\s*["'`]|kind:\s*"notice",\s*(tone|text)\b/;
/** `file:line: text` of every line of `list` that `pattern` matches. */
const linesMatching = (list: readonly string[], pattern: RegExp) =>
  list.flatMap((file) =>
    readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .map((line, n) => ({ line, n }))
      .filter(({ line }) => pattern.test(line))
      .map(({ line, n }) => `${file}:${n + 1}: ${line.trim()}`),
  );
const coreFiles = () => files.filter((f) => inside(f, "src/core"));
const show = (list: Import[]) => list.map((i) => `${i.from} → ${i.spec}`).join("\n");

describe("architecture (docs/architecture.md, Layout)", () => {
  it("finds the source tree", () => {
    assert.ok(files.includes("src/core/ids.ts") && files.length > 20, `only ${files.length} files found`);
  });

  it("rule 1: the core imports only the core (no packages, no node: modules)", () => {
    const bad = imports.filter((i) => inside(i.from, "src/core") && !(i.target && inside(i.target, "src/core")));
    assert.deepEqual(bad, [], show(bad));
  });

  it("inside the core: the foundations never import the use cases of core/bridge", () => {
    const bad = imports.filter(
      (i) => inside(i.from, "src/core") && !inside(i.from, CORE_FOUNDATION_NOT_INTO) && i.target && inside(i.target, CORE_FOUNDATION_NOT_INTO),
    );
    assert.deepEqual(bad, [], show(bad));
  });

  it("inside core/bridge: each folder imports only the folders below it (scheduling and the thread view, then outbox and recovery, then the two directions)", () => {
    const folderOf = (path: string) => Object.keys(BRIDGE_FOLDER_IMPORTS).find((f) => inside(path, f));
    assert.ok(
      files.some((f) => folderOf(f) === "src/core/bridge/from-teams") && files.some((f) => folderOf(f) === "src/core/bridge/scheduling"),
      "the folders exist",
    );
    const bad = imports.filter((i) => {
      const from = folderOf(i.from);
      const to = i.target && folderOf(i.target);
      if (!from || !to || to === from) return false;
      return !BRIDGE_FOLDER_IMPORTS[from]!.some((name) => to === `src/core/bridge/${name}`);
    });
    assert.deepEqual(bad, [], show(bad));
  });

  it("rule 2: adapter folders never import each other", () => {
    const bad = imports.filter((i) => {
      const from = adapterOf(i.from);
      if (!from || !i.target) return false;
      const to = adapterOf(i.target);
      return to !== undefined && to !== from && !SHARED_ADAPTER_FILES.some((f) => f === i.target);
    });
    assert.deepEqual(bad, [], show(bad));
  });

  it("rule 2: only the composition root and entry point import from more than one adapter folder", () => {
    const offenders = files.filter((file) => {
      const folders = new Set(
        imports
          .filter((i) => i.from === file && i.target)
          .map((i) => adapterOf(i.target!))
          .filter(Boolean),
      );
      return folders.size > 1 && !COMPOSITION_FILES.some((f) => f === file) && !adapterOf(file);
    });
    assert.deepEqual(offenders, []);
  });

  it("rule 3: each SDK stays in its folder", () => {
    const bad = imports.filter((i) => {
      const home = SDK_HOMES.find((h) => h.pattern.test(i.spec));
      return home !== undefined && !home.allowedIn.some((folder) => inside(i.from, folder));
    });
    assert.deepEqual(bad, [], show(bad));
  });

  it("rule 3: only config.ts reads process.env, and only the entry point and composition root import it", () => {
    const readers = files.filter((f) => f !== CONFIG_FILE && /process\.env\b/.test(readFileSync(join(ROOT, f), "utf8")));
    assert.deepEqual(readers, []);
    const importers = imports.filter((i) => i.target === CONFIG_FILE && !CONFIG_IMPORTERS.some((f) => f === i.from));
    assert.deepEqual(importers, [], show(importers));
  });

  it("src never imports tests or tools", () => {
    const bad = imports.filter((i) => i.target && (inside(i.target, "tests") || inside(i.target, "tools")));
    assert.deepEqual(bad, [], show(bad));
  });

  it("src imports only Node's modules and production dependencies (the deployment zip has nothing else)", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const packageOf = (spec: string) =>
      spec
        .split("/")
        .slice(0, spec.startsWith("@") ? 2 : 1)
        .join("/");
    const bad = imports.filter((i) => !i.target && !i.spec.startsWith("node:") && !(packageOf(i.spec) in manifest.dependencies));
    assert.deepEqual(bad, [], show(bad));
    assert.ok(!("azurite" in manifest.dependencies), "azurite is for local mode and tests only (a development dependency)");
  });

  it("rule 4: no raw string id crosses a port", () => {
    const portFiles = files.filter((f) => PORT_TYPE_FILES.some((p) => inside(f, p)));
    assert.ok(portFiles.length >= 5);
    assert.deepEqual(linesMatching(portFiles, /\b(id|\w+Id|wamid)\??\s*:\s*string\b/), []);
  });

  it("the core knows no Meta error code: the WhatsApp adapter maps them to failure kinds (errors.ts)", () => {
    assert.deepEqual(linesMatching(coreFiles(), META_CODE), []);
    assert.ok(
      META_CODE.test("if (code === 131056) return") && META_CODE.test("new Set([130429])") && !META_CODE.test("60_000 ms, 1300 s"),
      "the check can fail",
    );
  });

  it("the core words no notice: it says what happened (core/notices.ts), the Teams adapter's catalogue says it (wording.ts)", () => {
    assert.deepEqual(linesMatching(coreFiles(), WORDED_NOTICE), []);
    assert.ok(
      WORDED_NOTICE.test(`return { kind: "notice", tone: "warning", text: "Not sent" };`) && !WORDED_NOTICE.test(`{ kind: "notice", notice }`),
      "the check can fail",
    );
  });

  it("the checks can fail: a core file importing an SDK would be caught", () => {
    const fake: Import = { from: "src/core/x.ts", spec: "botbuilder" };
    const home = SDK_HOMES.find((h) => h.pattern.test(fake.spec));
    assert.ok(home && !home.allowedIn.some((folder) => inside(fake.from, folder)));
    assert.equal(adapterOf("src/teams/teams-app.ts"), "src/teams");
  });
});
