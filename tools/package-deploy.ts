/**
 * Builds the App Service deployment zip, dist-deploy/bridge.zip: the compiled bridge (dist/src, JavaScript
 * only), package.json, package-lock.json and the production dependencies, installed by
 * `npm ci --omit=dev` in a staging folder. The zip runs as it is (`npm start`): App Service is told not
 * to build it (SCM_DO_BUILD_DURING_DEPLOYMENT=false in infra/azuredeploy.json), so what runs in Azure is
 * exactly what was installed and tested here, and the app needs no registry access at deployment.
 *
 *   npm run package:deploy        (builds first)
 *   az webapp deploy --resource-group <rg> --name <app> --src-path dist-deploy/bridge.zip --type zip
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, copyFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { writeZip, type ZipEntry } from "./zip";

export interface DeployPackage {
  readonly path: string;
  readonly entries: number;
  readonly bytes: number;
}

/** Every file under `dir`, depth first, sorted (a stable archive); `skip` drops folders by name. */
function* filesUnder(dir: string, skip: (name: string) => boolean): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) throw new Error(`${path} is a symbolic link: the zip cannot carry it`);
    if (stat.isDirectory()) {
      if (!skip(name)) yield* filesUnder(path, skip);
    } else if (stat.isFile()) {
      yield path;
    }
  }
}

function entry(root: string, path: string): ZipEntry {
  return { name: relative(root, path).split("\\").join("/"), data: readFileSync(path), mode: statSync(path).mode & 0o777 };
}

/**
 * `npm ci --omit=dev` in `dir` (install scripts off: no production dependency needs one; cached package
 * metadata used when there: the lock file pins every version and its integrity), with the npm
 * that runs this script when there is one. `quiet` keeps npm's output, to quote it on failure.
 */
function installProductionDependencies(dir: string, npmCli: string | undefined, quiet: boolean): void {
  const args = ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"];
  const stdio = quiet ? "pipe" : "inherit";
  // Only npm's own CLI script: npx sets npm_execpath to npx-cli.js, which would read "ci" as a package.
  const result =
    npmCli && basename(npmCli) === "npm-cli.js"
      ? spawnSync(process.execPath, [npmCli, ...args], { cwd: dir, stdio, encoding: "utf8" })
      : spawnSync("npm", args, { cwd: dir, stdio, encoding: "utf8", shell: process.platform === "win32" });
  if (result.status !== 0) {
    const output = quiet ? ` ${`${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-5).join(" | ")}` : "";
    throw new Error(`npm ci --omit=dev failed in ${dir} (${result.error?.message ?? `exit code ${result.status}`})${output}`);
  }
}

/**
 * Stages and zips the deployable app under `outDir` (default `<root>/dist-deploy`). Needs a built
 * `dist/src`. `npmCli` is npm's own script (npm sets npm_execpath when it runs a script).
 */
export function packageForDeploy(root: string, options: { outDir?: string; npmCli?: string; quiet?: boolean } = {}): DeployPackage {
  const dist = join(root, "dist", "src");
  if (!existsSync(join(dist, "index.js"))) throw new Error("dist/src/index.js is missing: run npm run build first");
  const outDir = options.outDir ?? join(root, "dist-deploy");
  const staging = join(outDir, "staging");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(root, file), join(staging, file));
  installProductionDependencies(staging, options.npmCli, options.quiet ?? false);

  // node_modules/.bin holds only links to command-line tools; `npm start` needs none of them.
  const entries = function* (): Generator<ZipEntry> {
    yield entry(staging, join(staging, "package.json"));
    yield entry(staging, join(staging, "package-lock.json"));
    for (const path of filesUnder(dist, () => false)) if (path.endsWith(".js")) yield entry(root, path);
    for (const path of filesUnder(join(staging, "node_modules"), (name) => name === ".bin")) yield entry(staging, path);
  };
  const path = join(outDir, "bridge.zip");
  const count = writeZip(path, entries(), { deflate: true });
  rmSync(staging, { recursive: true, force: true });
  return { path, entries: count, bytes: statSync(path).size };
}

if (require.main === module) {
  const root = resolve(__dirname, "../..");
  try {
    const result = packageForDeploy(root, { npmCli: process.env.npm_execpath });
    console.log(`Deployment zip written to ${result.path} (${result.entries} files, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB)`);
  } catch (err) {
    console.error(`Cannot build the deployment zip: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
