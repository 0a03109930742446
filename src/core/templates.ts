import type { TemplateKey } from "./ids";

/** An approved message template of the WhatsApp Business Account (docs/protocols.md A13), as the core sees it. */
export interface MessageTemplate {
  readonly name: string;
  /** Language code, e.g. `en_US`. A name and a language together are one template. */
  readonly language: string;
  readonly category: string;
  readonly header?: { readonly format: string; readonly text?: string };
  readonly body: string;
  readonly footer?: string;
  readonly buttons: readonly string[];
}

/** What staff filled in: values by placeholder key (`1`, `2`… or named keys such as `first_name`). */
export interface TemplateValues {
  readonly header: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, string>>;
}

/** A stable id for a template in cards and actions. */
export const templateId = (t: Pick<MessageTemplate, "name" | "language">) => `${t.name}|${t.language}` as TemplateKey;

/** The placeholder keys of a template text in order of first appearance: `{{1}}` → "1", `{{name}}` → "name". */
export function placeholders(text: string | undefined): string[] {
  const keys: string[] = [];
  for (const m of (text ?? "").matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) if (!keys.includes(m[1]!)) keys.push(m[1]!);
  return keys;
}

/** Header placeholders exist only for text headers; media headers are not supported here yet. */
export const headerPlaceholders = (t: MessageTemplate) => (t.header?.format === "TEXT" ? placeholders(t.header.text) : []);

/** Keys with no (or a blank) value, header first. */
export function missingValues(t: MessageTemplate, values: TemplateValues): string[] {
  const blank = (v: string | undefined) => v === undefined || v.trim() === "";
  return [
    ...headerPlaceholders(t)
      .filter((k) => blank(values.header[k]))
      .map((k) => `header {{${k}}}`),
    ...placeholders(t.body)
      .filter((k) => blank(values.body[k]))
      .map((k) => `{{${k}}}`),
  ];
}

const fill = (text: string, values: Readonly<Record<string, string>>) =>
  text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => values[key]?.trim() || whole);

/** The text the customer receives: header, body and footer with the values filled in. */
export function renderTemplate(t: MessageTemplate, values: TemplateValues): string {
  return [t.header?.format === "TEXT" && t.header.text ? fill(t.header.text, values.header) : undefined, fill(t.body, values.body), t.footer]
    .filter((part): part is string => !!part)
    .join("\n\n");
}
