import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./doc-files";
import { modulesRunBy, npmCommandsIn, NPM_BUILTINS, runsScript } from "./project-commands";

/** The documents that tell operators what to run. */
const DOCUMENTS = ["README.md", "docs/admin-guide.md", "docs/staff-guide.md", "docs/configuration.md"];

/**
 * Each project command the documents use, and the file that runs it: a test that invokes the script
 * (or the module it runs), or CI for the commands that run the tests themselves. A command a document
 * uses without a row here fails the test below.
 */
const RUNNERS: Readonly<Record<string, string>> = {
  ci: ".ci/run",
  build: ".ci/run",
  test: ".ci/run",
  start: "tests/integration/deploy/deploy-zip.test.ts",
  demo: "tests/integration/tools/demo-command.test.ts",
  "package:app": "tests/unit/app-package/app-package.test.ts",
  "package:deploy": "tests/integration/deploy/deploy-zip.test.ts",
  reconcile: "tests/integration/reliability/reconcile-command.test.ts",
  "docs:config": "tests/unit/docs/configuration-doc.test.ts",
  verify: "tests/integration/compliance/verify-command.test.ts",
  export: "tests/integration/compliance/export-command.test.ts",
  erase: "tests/integration/compliance/erase-command.test.ts",
  report: "tests/integration/compliance/report-command.test.ts",
};

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

describe("project commands in the documentation", () => {
  const used = [...new Set(DOCUMENTS.flatMap((doc) => npmCommandsIn(read(doc))))].sort();

  it("the README and the admin guide tell the reader to install, start, test and deploy", () => {
    for (const command of ["ci", "start", "test", "demo", "package:deploy", "package:app"])
      assert.ok(used.includes(command), `${command} not found in ${used.join(", ")}`);
  });

  it("every npm command they use is a package.json script (or npm ci)", () => {
    assert.deepEqual(
      used.filter((c) => !(c in scripts) && !(NPM_BUILTINS as readonly string[]).includes(c)),
      [],
    );
  });

  it("every one of them is run by a named test or by CI, which invokes it (or the module it runs)", () => {
    assert.deepEqual(
      used.filter((c) => !(c in RUNNERS)),
      [],
      "add each to RUNNERS with the file that runs it",
    );
    for (const [command, runner] of Object.entries(RUNNERS)) {
      assert.ok(command in scripts || (NPM_BUILTINS as readonly string[]).includes(command), `${command} is not a script`);
      assert.ok(existsSync(join(ROOT, runner)), `${runner} does not exist`);
      const modules = modulesRunBy(scripts[command] ?? "");
      assert.ok(runsScript(read(runner), runner, command, modules), `${runner} does not run ${command} (${modules.join(", ") || "no module"})`);
    }
  });

  it("npm ci installs what package.json asks for: the lock file is in step with it", () => {
    const manifest = JSON.parse(read("package.json")) as { dependencies?: object; devDependencies?: object };
    const lock = JSON.parse(read("package-lock.json")) as {
      lockfileVersion: number;
      packages: Record<string, { dependencies?: object; devDependencies?: object }>;
    };
    assert.ok(lock.lockfileVersion >= 2);
    assert.deepEqual(lock.packages[""]!.dependencies ?? {}, manifest.dependencies ?? {});
    assert.deepEqual(lock.packages[""]!.devDependencies ?? {}, manifest.devDependencies ?? {});
  });

  describe("the checks themselves", () => {
    it("find npm commands in code, not in prose", () => {
      const doc =
        "Install with the npm package manager.\n\n```bash\nnpm ci && npm run demo\nnpm test # all\n```\n\nThen `npm start`, or `MicrosoftAppId=x npm run package:app`.";
      assert.deepEqual(npmCommandsIn(doc), ["ci", "demo", "package:app", "start", "test"]);
    });

    it("accept a shell line, npm's arguments or a path to the module, and nothing else", () => {
      assert.ok(runsScript("set -e\nnpm ci --no-audit\nnpm test\n", ".ci/run", "test", []));
      assert.ok(!runsScript("npm run test:e2e\n# npm test\n", ".ci/run", "test", []));
      assert.ok(runsScript('run(app, npmCommand(["start"]), env)', "tests/x/a.test.ts", "start", ["src/index"]));
      assert.ok(
        runsScript('import { f } from "../../../tools/package-deploy";', "tests/integration/deploy/a.test.ts", "package:deploy", ["tools/package-deploy"]),
      );
      assert.ok(
        runsScript('const C = resolve(__dirname, "../../../src/reconcile.js");', "tests/integration/reliability/a.test.ts", "reconcile", ["src/reconcile"]),
      );
      assert.ok(
        !runsScript('const C = resolve(__dirname, "../../src/reconcile.js");', "tests/integration/reliability/a.test.ts", "reconcile", ["src/reconcile"]),
      );
      assert.ok(!runsScript('describe("npm run reconcile", () => {});', "tests/unit/a.test.ts", "reconcile", ["src/reconcile"]));
      assert.deepEqual(modulesRunBy("npm run build && node dist/tools/package-deploy.js"), ["tools/package-deploy"]);
    });
  });
});
