import assert from "node:assert/strict";
import { safeFileName, storedFileName } from "../../../src/media/safe-name";

describe("stored file names", () => {
  it("show an RLO or a zero-width character as a marker, so the real extension stays last and visible", () => {
    assert.equal(safeFileName("invoice\u202efdp.exe"), "invoice[U+202E]fdp.exe");
    assert.equal(safeFileName("report\u200b.pdf\u2066.exe"), "report[U+200B].pdf[U+2066].exe");
    assert.match(storedFileName("wamid.1", "photo\u202egnp.scr"), /^[0-9a-f]{8}-photo\[U\+202E\]gnp\.scr$/);
  });

  it("keep what SharePoint and URLs accept, and never come out empty", () => {
    assert.equal(safeFileName("../a:b*c?.pdf"), "_a_b_c_.pdf");
    assert.equal(safeFileName("line\nbreak\tname.txt"), "line break name.txt");
    assert.equal(safeFileName("\u202e\u200b"), "file");
    assert.equal(safeFileName("家族 👨‍👩‍👧.jpg"), "家族 👨‍👩‍👧.jpg");
  });
});
