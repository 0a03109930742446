import { listPhoneNumbersPage } from "./phone-numbers";
import type { StandinTemplate } from "./standin-types";

/**
 * One page of `GET /{waba}/message_templates` (docs/protocols.md A13), filtered by `status` when given and
 * paged like every Graph edge (`limit`, `after`, `fields`).
 */
export function listTemplatesPage(templates: readonly StandinTemplate[], url: URL): object {
  const status = url.searchParams.get("status")?.toUpperCase();
  const shown = status ? templates.filter((t) => t.status.toUpperCase() === status) : templates;
  // Same paging as phone_numbers; `id` plus the requested fields.
  return listPhoneNumbersPage(shown as never, url);
}
