import assert from "node:assert/strict";
import { classifyFile, DEFAULT_RISKY_EXTENSIONS, parseRiskyExtensions, type FileFacts } from "../../../src/core/risky-files";

const DEFAULTS = new Set(DEFAULT_RISKY_EXTENSIONS);
const EMPTY = new Uint8Array();
const facts = (name: string, declaredMime?: string, bytes: Uint8Array = EMPTY, actualMime?: string): FileFacts => ({
  name,
  bytes,
  ...(declaredMime ? { declaredMime } : {}),
  ...(actualMime ? { actualMime } : {}),
});
const reasons = (f: FileFacts, extensions: ReadonlySet<string> = DEFAULTS) => {
  const verdict = classifyFile(f, extensions);
  return verdict.risky ? verdict.reasons : [];
};

describe("risky files: which customer files can run code", () => {
  it("flags programs and scripts by their extension, whatever the case", () => {
    for (const name of ["setup.exe", "run.JS", "x.vbs", "a.ps1", "b.bat", "c.cmd", "d.sh", "e.msi", "f.scr", "g.jar", "h.com", "i.hta", "shortcut.lnk"]) {
      const found = reasons(facts(name));
      assert.equal(found.length, 1, name);
      assert.match(found[0]!, /a program or script that runs when opened/, name);
    }
  });

  it("flags macro documents, disk images and web pages, each saying why", () => {
    assert.match(reasons(facts("statement.docm"))[0]!, /^its name ends in \.docm, a document with macros/);
    for (const name of ["a.xlsm", "b.pptm", "c.dotm", "d.xlam", "e.ppsm"]) assert.match(reasons(facts(name))[0]!, /macros/, name);
    for (const name of ["a.iso", "b.img", "c.vhd", "d.vhdx", "e.dmg"]) assert.match(reasons(facts(name))[0]!, /disk image/, name);
    for (const name of ["a.html", "b.htm", "c.xhtml", "d.mht"]) assert.match(reasons(facts(name))[0]!, /web page/, name);
  });

  it("lets ordinary documents, pictures and media through", () => {
    for (const [name, mime] of [
      ["invoice.pdf", "application/pdf"],
      ["photo.jpg", "image/jpeg"],
      ["report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
      ["notes.txt", "text/plain"],
      ["data.csv", "text/comma-separated-values"],
      ["voice.ogg", "audio/ogg"],
      ["archive.zip", "application/zip"],
      ["no-extension", "application/octet-stream"],
      ["video.mp4", "video/mp4"],
    ] as const) {
      assert.deepEqual(reasons(facts(name, mime)), [], name);
    }
  });

  it("sees through a double extension: invoice.pdf.exe declared as a PDF", () => {
    const found = reasons(facts("invoice.pdf.exe", "application/pdf"));
    assert.equal(found.length, 2);
    assert.match(found[0]!, /ends in \.exe, a program/);
    assert.match(found[1]!, /puts \.pdf before the real extension, so that it looks like a \.pdf file/);
  });

  it("sees through an RLO file name, and counts the hidden characters as a reason", () => {
    const found = reasons(facts("invoice\u202efdp.exe", "application/pdf"));
    assert.match(found[0]!, /hidden or reversing characters \(\[U\+202E\]\)/);
    assert.match(found[1]!, /ends in \.exe/);
    assert.match(reasons(facts("report\u200b.pdf"))[0]!, /\[U\+200B\]/, "a hidden character alone is a reason");
  });

  it("ignores trailing dots and spaces, as Windows does", () => {
    assert.match(reasons(facts("run.exe. . "))[0]!, /ends in \.exe/);
  });

  it("flags a declared type that names a risky kind, whatever the name", () => {
    assert.match(reasons(facts("report.pdf", "application/x-msdownload"))[0]!, /its type is application\/x-msdownload, a program/);
    assert.match(reasons(facts("letter.pdf", "application/vnd.ms-word.document.macroEnabled.12"))[0]!, /macros/);
    assert.match(reasons(facts("page.txt", "text/html"))[0]!, /its type is text\/html, a web page/);
    assert.match(
      reasons(facts("image.bin", undefined, EMPTY, "application/x-executable"))[0]!,
      /its type is application\/x-executable/,
      "the real type counts too",
    );
    assert.deepEqual(reasons(facts("page.htm", "text/html")).length, 1, "the name already said it: one reason");
  });

  it("flags a declared type that disagrees with the name", () => {
    assert.deepEqual(reasons(facts("contract.pdf", "application/zip")), ["WhatsApp declared it as application/zip, which does not match its name (.pdf)"]);
    assert.deepEqual(reasons(facts("photo.jpg", "application/pdf")), ["WhatsApp declared it as application/pdf, which does not match its name (.jpg)"]);
    assert.deepEqual(reasons(facts("contract.pdf", "application/octet-stream")), [], "a generic type says nothing");
    assert.deepEqual(reasons(facts("budget.xlsx", "application/vnd.ms-excel")), [], "an Office family declared by its old type agrees");
    assert.deepEqual(reasons(facts("letter.docx", "application/zip")), [], "an OOXML file declared as the zip it is agrees");
    assert.deepEqual(reasons(facts("contract.pdf", "application/pdf; charset=binary")), [], "parameters ignored");
  });

  it("flags an SVG only when it holds script", () => {
    const plain = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>');
    const scripted = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" onload="fetch(1)"/></svg>');
    const withScript = new TextEncoder().encode("<svg><script>alert(1)</script></svg>");
    assert.deepEqual(reasons(facts("logo.svg", "image/svg+xml", plain)), []);
    assert.match(reasons(facts("logo.svg", "image/svg+xml", scripted))[0]!, /\.svg, a picture that contains script/);
    assert.match(reasons(facts("logo.svg", undefined, withScript))[0]!, /script/);
  });

  it("follows the configured list", () => {
    assert.deepEqual(reasons(facts("setup.exe"), new Set(["zip"])), []);
    assert.match(reasons(facts("backup.zip"), new Set(["zip"]))[0]!, /\.zip, a type of file your firm treats as risky/);
    assert.deepEqual(
      reasons(facts("page.txt", "text/html"), new Set(["exe"])),
      ["WhatsApp declared it as text/html, which does not match its name (.txt)"],
      "a risky type counts only when its extension is on the list (the disagreement with the name still does)",
    );
  });
});

describe("MEDIA_RISKY_EXTENSIONS", () => {
  const list = (value: string | undefined) => {
    const parsed = parseRiskyExtensions(value);
    return "extensions" in parsed ? [...parsed.extensions].sort() : parsed.problem;
  };

  it("defaults to the built-in list", () => {
    assert.deepEqual(list(undefined), [...DEFAULT_RISKY_EXTENSIONS].sort());
    assert.deepEqual(list(" "), [...DEFAULT_RISKY_EXTENSIONS].sort());
  });

  it("replaces the list with plain entries, or changes it with +ext/-ext", () => {
    assert.deepEqual(list("EXE, .msi"), ["exe", "msi"]);
    const changed = list("+zip,-xlsb,+.rar") as string[];
    assert.ok(changed.includes("zip") && changed.includes("rar") && !changed.includes("xlsb") && changed.includes("exe"));
  });

  it("refuses a mix, and entries that are not extensions", () => {
    assert.match(String(list("exe,+zip")), /either list extensions .* or only \+ext\/-ext changes/);
    assert.match(String(list("exe,../x")), /not a file extension: \.\.\/x/);
  });
});
