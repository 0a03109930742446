import assert from "node:assert/strict";
import type { ValidateFunction } from "ajv";
import type { ThreadPost } from "../../../src/core/ports/teams-gateway";
import { fitInSquare, imageSize } from "../../../src/teams/image-dimensions";
import { IMAGE_CARD_MAX_CHARS, imagePostActivity } from "../../../src/teams/image-post";
import { compileCardSchema } from "./card-schema";

type ImagePost = Extract<ThreadPost, { kind: "image" }>;

/** A PNG's first 33 bytes (signature and IHDR) for `width` × `height`, padded with `extra` bytes. */
function png(width: number, height: number, extra = 0): Buffer {
  const b = Buffer.alloc(33 + extra, 0x11);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

/** A JPEG start: SOI, an APP0 segment, then a SOF0 frame header for `width` × `height`. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.alloc(20)]);
}

const post = (bytes: Buffer, mimeType = "image/png", name = "photo.png"): ImagePost => ({ kind: "image", name, mimeType, bytes });

describe("a customer's image in the thread", () => {
  let validate: ValidateFunction;
  before(() => {
    validate = compileCardSchema();
  });

  it("small: an Adaptive Card 1.5 holding only the image as a data: URL, its name as alternative text", () => {
    const bytes = png(160, 120, 200);
    const activity = imagePostActivity(post(bytes));
    assert.equal(activity.text, undefined, "no text beside the card: Teams would split the message");
    assert.equal(activity.attachments?.length, 1);
    const card = activity.attachments![0]!.content as { body: unknown[] };
    assert.equal(activity.attachments![0]!.contentType, "application/vnd.microsoft.card.adaptive");
    assert.ok(validate(card), JSON.stringify(validate.errors, null, 1));
    assert.deepEqual(card.body, [{ type: "Image", url: `data:image/png;base64,${bytes.toString("base64")}`, altText: "photo.png", size: "Auto" }]);
    assert.ok(JSON.stringify(card).length <= IMAGE_CARD_MAX_CHARS);
  });

  it("larger: an HTML <img> of its own, sized from its header to fit 240 px, with an escaped name", () => {
    const bytes = png(1200, 1600, 30_000);
    const activity = imagePostActivity(post(bytes, "image/png", `a "b" <c>.png`));
    assert.equal(activity.attachments, undefined);
    assert.equal(activity.textFormat, "xml");
    assert.equal(
      activity.text,
      `<p><img src="data:image/png;base64,${bytes.toString("base64")}" alt="a &quot;b&quot; &lt;c&gt;.png" width="180" height="240"></p>`,
    );
  });

  it("larger, size unknown: the <img> without dimensions", () => {
    const bytes = Buffer.alloc(30_000, 0x22);
    assert.equal(
      imagePostActivity(post(bytes, "image/jpeg", "x.jpg")).text,
      `<p><img src="data:image/jpeg;base64,${bytes.toString("base64")}" alt="x.jpg"></p>`,
    );
  });

  it("never puts another type in a data: URL: a line naming the image instead", () => {
    const activity = imagePostActivity(post(Buffer.from("<svg onload=alert(1)>"), "image/svg+xml", "x.svg"));
    assert.equal(activity.attachments, undefined);
    assert.doesNotMatch(String(activity.text), /data:|<svg/);
    assert.match(String(activity.text), /&#91;image: x\.svg&#93;/);
  });

  it("reads PNG, GIF and JPEG sizes from their headers, and nothing from other bytes", () => {
    assert.deepEqual(imageSize(png(640, 480)), { width: 640, height: 480 });
    assert.deepEqual(imageSize(jpeg(4032, 3024)), { width: 4032, height: 3024 });
    const gif = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.from([0x40, 0x01, 0xf0, 0x00]), Buffer.alloc(10)]);
    assert.deepEqual(imageSize(gif), { width: 320, height: 240 });
    assert.equal(imageSize(Buffer.from("not an image at all")), undefined);
    assert.equal(imageSize(png(0, 10)), undefined, "an empty size is no size");
    assert.equal(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02])), undefined, "scan data before any frame header");
  });

  it("fits a size into a square, scaling down only", () => {
    assert.deepEqual(fitInSquare({ width: 4032, height: 3024 }, 240), { width: 240, height: 180 });
    assert.deepEqual(fitInSquare({ width: 100, height: 50 }, 240), { width: 100, height: 50 });
  });
});
