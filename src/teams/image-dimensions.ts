/**
 * The pixel size of a PNG, GIF or JPEG, read from its header: an `<img>` needs its width and height for
 * clients that do not keep an image's proportions on their own (the Agents Playground draws a message's
 * images square unless both are given). Nothing is decoded; undefined when the header is not understood.
 */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(b: Uint8Array, view: DataView): ImageSize | undefined {
  // The first chunk is IHDR: width and height (big-endian) right after its length and type.
  if (b.length < 24 || !PNG_SIGNATURE.every((v, i) => b[i] === v)) return undefined;
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== "IHDR") return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function gif(b: Uint8Array, view: DataView): ImageSize | undefined {
  // "GIF87a" / "GIF89a", then the logical screen size (little-endian).
  const signature = b.length >= 10 ? String.fromCharCode(...b.subarray(0, 6)) : "";
  if (signature !== "GIF87a" && signature !== "GIF89a") return undefined;
  return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
}

/** Start-of-frame markers carry the size: SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(b: Uint8Array, view: DataView): ImageSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  // Walk the marker segments (each: FF, marker, 2-byte length including itself) up to the frame header.
  while (at + 9 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    } // fill byte
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame
    const length = view.getUint16(at + 2);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + length;
  }
  return undefined;
}

/** The size of the image in `bytes` (PNG, GIF, JPEG), or undefined. */
export function imageSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = png(bytes, view) ?? gif(bytes, view) ?? jpeg(bytes, view);
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

/** `size` scaled down (never up) to fit a `box` × `box` square, keeping its proportions. */
export function fitInSquare(size: ImageSize, box: number): ImageSize {
  const scale = Math.min(1, box / size.width, box / size.height);
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}
