import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { headingAnchors, linkTargets } from "./markdown";

/** The repository's root (tests run from dist/tests/…). */
export const ROOT = resolve(__dirname, "../../../..");

/** The README and every page under docs/. */
export function documentationFiles(root = ROOT): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** Folders .gitignore keeps out of the repository: a link into them works here but not for a reader. */
function ignoredFolders(root: string): string[] {
  const path = join(root, ".gitignore");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.endsWith("/") && !l.startsWith("#"))
    .map((l) => l.replace(/^\//, ""));
}

/** True for targets outside the repository: a scheme (https:, mailto:) or protocol-relative. */
const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

/**
 * What is wrong with the relative links of `file` (a path relative to `root`, its text `text`): a target
 * that does not exist, lies in an ignored folder, leaves the repository, or names an anchor its Markdown
 * target does not have. Empty when every link works.
 */
export function brokenLinks(file: string, text: string, root = ROOT): string[] {
  const problems: string[] = [];
  const ignored = ignoredFolders(root);
  for (const target of linkTargets(text)) {
    if (isExternal(target)) continue;
    const [pathPart = "", anchor] = target.split("#", 2);
    const path = decodeURIComponent(pathPart);
    if (path === "") {
      if (anchor && !headingAnchors(text).has(anchor)) problems.push(`${file}: ${target} names a heading this file does not have`);
      continue;
    }
    const absolute = resolve(dirname(join(root, file)), path);
    const inRepo = relative(root, absolute);
    if (inRepo.startsWith("..")) {
      problems.push(`${file}: ${target} points outside the repository`);
      continue;
    }
    if (!existsSync(absolute)) {
      problems.push(`${file}: ${target} does not exist`);
      continue;
    }
    if (ignored.some((folder) => `${inRepo}/`.startsWith(folder))) {
      problems.push(`${file}: ${target} is in a folder .gitignore keeps out of the repository`);
      continue;
    }
    if (anchor && absolute.endsWith(".md") && statSync(absolute).isFile()) {
      if (!headingAnchors(readFileSync(absolute, "utf8")).has(anchor)) problems.push(`${file}: ${target} names a heading that ${inRepo} does not have`);
    }
  }
  return problems;
}
