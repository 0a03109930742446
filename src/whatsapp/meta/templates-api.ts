import { z } from "zod/v4";
import type { MessageTemplate, TemplateValues } from "../../core/templates";
import { headerPlaceholders, placeholders } from "../../core/templates";

/**
 * Message templates on the wire (docs/protocols.md A10, A13): the `GET /{waba}/message_templates` page shape
 * and the `template` object of a send.
 */
const componentSchema = z.looseObject({
  type: z.string(),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() })).optional(),
});

export const templatesPageSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      name: z.string().min(1),
      language: z.string().min(1),
      status: z.string().optional(),
      category: z.string().optional(),
      components: z.array(componentSchema).optional(),
    }),
  ),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

type TemplateRow = z.infer<typeof templatesPageSchema>["data"][number];

/** One listed template in the core's terms; undefined for templates that are not APPROVED or have no body. */
export function toMessageTemplate(row: TemplateRow): MessageTemplate | undefined {
  if (row.status !== undefined && row.status.toUpperCase() !== "APPROVED") return undefined;
  const part = (type: string) => row.components?.find((c) => c.type.toUpperCase() === type);
  const body = part("BODY")?.text;
  if (!body) return undefined;
  const header = part("HEADER");
  const footer = part("FOOTER")?.text;
  return {
    name: row.name,
    language: row.language,
    category: (row.category ?? "UNKNOWN").toUpperCase(),
    ...(header ? { header: { format: (header.format ?? "TEXT").toUpperCase(), ...(header.text ? { text: header.text } : {}) } } : {}),
    body,
    ...(footer ? { footer } : {}),
    buttons: (part("BUTTONS")?.buttons ?? []).map((b) => b.text ?? b.type ?? "button"),
  };
}

/** A parameter: positional keys (`1`, `2`…) go by order; named keys carry `parameter_name`. */
function parameter(key: string, value: string): Record<string, string> {
  return /^\d+$/.test(key) ? { type: "text", text: value } : { type: "text", parameter_name: key, text: value };
}

/** The `template` object of a send request with the staff's values. */
export function templatePayload(template: MessageTemplate, values: TemplateValues): Record<string, unknown> {
  const header = headerPlaceholders(template).map((k) => parameter(k, values.header[k] ?? ""));
  const body = placeholders(template.body).map((k) => parameter(k, values.body[k] ?? ""));
  const components = [...(header.length > 0 ? [{ type: "header", parameters: header }] : []), ...(body.length > 0 ? [{ type: "body", parameters: body }] : [])];
  return { name: template.name, language: { code: template.language }, ...(components.length > 0 ? { components } : {}) };
}
