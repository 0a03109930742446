import type { Activity } from "botbuilder";
import type { ThreadPost } from "../core/ports/teams-gateway";
import { adaptiveCard, cardAttachment, type AdaptiveCard } from "./cards/adaptive-card";
import { fitInSquare, imageSize } from "./image-dimensions";
import { neutraliseDisplayName } from "./display-text";
import { escapeHtml, renderThreadPost } from "./teams-html";

/**
 * A customer's image shown in the thread, as its own post right under the message it came with (text
 * and image in one activity would be split by Teams, and the id lost). Two forms, both rendered by Teams
 * and by the Agents Playground, which does not render an `image/*` attachment at all (docs/teams-rendering.md):
 *
 * - small images: an Adaptive Card with one Image element whose url is a `data:` URL. Certain to render,
 *   but a card counts whole against Teams' message size limit, so only images whose card stays within
 *   IMAGE_CARD_MAX_CHARS take this form;
 * - larger ones: an HTML message `<p><img src="data:…"></p>`, which Teams documents for base64 images in
 *   formatted text and leaves out of the size limit. Its width and height, when its header tells them,
 *   are given (fitted to a square of IMAGE_PREVIEW_PX), so that every client keeps its proportions; the
 *   full file is linked in the message above.
 *
 * A client that refuses the post as too large (HTTP 413; the Playground takes at most 100 KB a request)
 * gets a line saying so instead (teams-gateway.ts).
 */

type ImagePost = Extract<ThreadPost, { kind: "image" }>;

/** Types put in a `data:` URL; anything else is never emitted as one (it could be active content). */
const SHOWN_TYPES = new Set(["image/png", "image/jpeg", "image/gif"]);
/** The largest image card, as JSON characters: under the ~28 KB that older Teams documents give for a message. */
export const IMAGE_CARD_MAX_CHARS = 24_000;
/** An `<img>`'s shown size fits this square (the Playground draws no message image larger). */
export const IMAGE_PREVIEW_PX = 240;

/** The card form: one Image, the file name as its alternative text. */
export function imageCard(dataUrl: string, name: string): AdaptiveCard {
  return adaptiveCard([{ type: "Image", url: dataUrl, altText: name, size: "Auto" }]);
}

/** The image's (customer-given) file name as shown: neutralised (bidi and invisible characters as markers). */
function shownName(image: ImagePost): string {
  return neutraliseDisplayName(image.name, 200) || "image";
}

/** The activity that shows `image` in a thread (see above). */
export function imagePostActivity(image: ImagePost): Partial<Activity> {
  const mimeType = image.mimeType.toLowerCase();
  if (!SHOWN_TYPES.has(mimeType)) return { type: "message", text: renderThreadPost(image), textFormat: "xml" };
  const dataUrl = `data:${mimeType};base64,${Buffer.from(image.bytes).toString("base64")}`;
  const name = shownName(image);
  const card = imageCard(dataUrl, name);
  if (JSON.stringify(card).length <= IMAGE_CARD_MAX_CHARS) {
    return { type: "message", summary: `[image] ${name}`, attachments: [cardAttachment(card)] };
  }
  const size = imageSize(image.bytes);
  const shown = size ? fitInSquare(size, IMAGE_PREVIEW_PX) : undefined;
  const dimensions = shown ? ` width="${shown.width}" height="${shown.height}"` : "";
  return { type: "message", textFormat: "xml", text: `<p><img src="${dataUrl}" alt="${escapeHtml(name)}"${dimensions}></p>` };
}

/** What stands in for an image the client refused as too large (HTTP 413): a line pointing at its file. */
export function imageTooLargeActivity(image: ImagePost): Partial<Activity> {
  return {
    type: "message",
    textFormat: "xml",
    text: `<p><em>🖼️ ${escapeHtml(shownName(image))} is too large to show in the thread: open it from its link above.</em></p>`,
  };
}
