import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokenLinks, documentationFiles, ROOT } from "./doc-files";
import { headingAnchors } from "./markdown";

describe("documentation links", () => {
  it("every relative link of the README and docs/ points to a file of the repository (and an existing heading)", () => {
    const files = documentationFiles();
    assert.ok(files.includes("docs/admin-guide.md") && files.includes("docs/staff-guide.md"), files.join(", "));
    const problems = files.flatMap((file) => brokenLinks(file, readFileSync(join(ROOT, file), "utf8")));
    assert.deepEqual(problems, []);
  });

  describe("the check itself", () => {
    let root: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), "doc-links-"));
      mkdirSync(join(root, "docs"));
      mkdirSync(join(root, "dist"));
      writeFileSync(join(root, ".gitignore"), "node_modules/\ndist/\n");
      writeFileSync(join(root, "docs/guide.md"), "# Guide\n\n## Set it up\n\ntext\n");
      writeFileSync(join(root, "dist/built.js"), "");
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("accepts existing files, headings, folders and external links", () => {
      const text = "[a](docs/guide.md) [b](docs/guide.md#set-it-up) [c](docs/) [d](https://example.com/x.md) [e](#top)\n\n# Top\n";
      assert.deepEqual(brokenLinks("README.md", text, root), []);
    });

    it("reports a missing file, a missing heading, an ignored folder and a way out of the repository", () => {
      const text = '[a](docs/missing.md) [b](docs/guide.md#nowhere) ![c](dist/built.js) [d](../elsewhere.md) <img src="docs/gone.png">';
      assert.deepEqual(brokenLinks("README.md", text, root), [
        "README.md: docs/missing.md does not exist",
        "README.md: docs/guide.md#nowhere names a heading that docs/guide.md does not have",
        "README.md: dist/built.js is in a folder .gitignore keeps out of the repository",
        "README.md: ../elsewhere.md points outside the repository",
        "README.md: docs/gone.png does not exist",
      ]);
    });

    it("makes anchors as GitHub does: punctuation dropped, spaces as hyphens, repeats numbered", () => {
      assert.deepEqual(
        [...headingAnchors("# WhatsApp ⇄ Teams bridge\n## `status` says “suspended”\n## Notes\n## Notes\n")],
        ["whatsapp--teams-bridge", "status-says-suspended", "notes", "notes-1"],
      );
    });
  });
});
