import assert from "node:assert/strict";
import { baseMimeType, checkMediaType, formatBytes, mediaFileName, sniffMediaType } from "../../../src/core/media-types";

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

describe("media types (magic bytes, caps, names)", () => {
  it("recognises the types WhatsApp carries by their first bytes", () => {
    assert.equal(sniffMediaType(bytes([0xff, 0xd8, 0xff, 0xe0], "JFIF")), "image/jpeg");
    assert.equal(sniffMediaType(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "image/png");
    assert.equal(sniffMediaType(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 ")), "image/webp");
    assert.equal(sniffMediaType(bytes("GIF89a")), "image/gif");
    assert.equal(sniffMediaType(bytes("%PDF-1.7")), "application/pdf");
    assert.equal(sniffMediaType(bytes("PK", [3, 4], "word/")), "application/zip");
    assert.equal(sniffMediaType(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])), "application/x-cfb");
    assert.equal(sniffMediaType(bytes("OggS", [0, 2])), "audio/ogg");
    assert.equal(sniffMediaType(bytes("#!AMR\n")), "audio/amr");
    assert.equal(sniffMediaType(bytes("ID3", [4, 0])), "audio/mpeg");
    assert.equal(sniffMediaType(bytes([0, 0, 0, 0x20], "ftypisom")), "video/mp4");
    assert.equal(sniffMediaType(bytes([0, 0, 0, 0x20], "ftyp3gp4")), "video/3gpp");
    assert.equal(sniffMediaType(bytes([0, 0, 0, 0x20], "ftypM4A ")), "audio/mp4");
    assert.equal(sniffMediaType(bytes([0xff, 0xf1, 0x50])), "audio/aac");
    assert.equal(sniffMediaType(bytes("MZ", [0x90, 0])), "application/x-executable");
    assert.equal(sniffMediaType(bytes([0x7f], "ELF")), "application/x-executable");
    assert.equal(sniffMediaType(bytes("hello\nworld")), "text/plain");
    assert.equal(sniffMediaType(bytes([0, 1, 2, 3])), undefined);
  });

  it("checks a declared type against the bytes", () => {
    assert.deepEqual(checkMediaType("image/jpeg", bytes([0xff, 0xd8, 0xff])), { ok: true, actual: "image/jpeg" });
    assert.deepEqual(checkMediaType("image/jpeg", bytes("PK", [3, 4])), { ok: false, declared: "image/jpeg", actual: "application/zip" });
    assert.equal(checkMediaType("audio/ogg; codecs=opus", bytes("OggS")).ok, true);
    assert.equal(checkMediaType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes("PK", [3, 4])).ok, true);
    assert.equal(checkMediaType("application/pdf", bytes("MZ")).ok, false);
    assert.equal(checkMediaType("application/x-custom", bytes([0, 1, 2])).ok, true, "an unknown declared type passes");
    assert.equal(checkMediaType("application/x-custom", bytes("MZ")).ok, false, "an executable never passes");
    assert.equal(checkMediaType(undefined, bytes("hello")).ok, true);
  });

  it("names files that have no name, and formats sizes", () => {
    assert.equal(mediaFileName("image", "image/jpeg", 1_789_300_000), "image-20260913T114640Z.jpg");
    assert.equal(mediaFileName("audio", "audio/ogg; codecs=opus", 0), "audio-19700101T000000Z.ogg");
    assert.equal(mediaFileName("document", "application/pdf", 0, " invoice.pdf "), "invoice.pdf");
    assert.equal(baseMimeType(" Audio/OGG ; codecs=opus"), "audio/ogg");
    assert.equal(formatBytes(812), "812 B");
    assert.equal(formatBytes(23_961), "23.4 KB");
    assert.equal(formatBytes(5 * 1024 * 1024), "5.0 MB");
  });
});
