import type { Clock } from "../../ports/clock";
import type { WhatsAppGateway } from "../../ports/whatsapp-gateway";
import { templateId, type MessageTemplate } from "../../templates";

/** Meta limits management calls to 200/hour per WABA (docs/protocols.md A13): list at most this often. */
export const TEMPLATE_CACHE_MS = 5 * 60_000;

/**
 * The WABA's approved templates, cached: listed at most every few minutes, and listed again as soon as
 * a `message_template_status_update` webhook says something changed (`invalidate`).
 */
export class TemplateCatalog {
  private cached?: { at: number; templates: readonly MessageTemplate[] };
  private inflight?: Promise<readonly MessageTemplate[]>;

  constructor(
    private readonly whatsapp: Pick<WhatsAppGateway, "listTemplates">,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<readonly MessageTemplate[]> {
    if (this.cached && this.clock.now() - this.cached.at < TEMPLATE_CACHE_MS) return this.cached.templates;
    this.inflight ??= this.whatsapp.listTemplates().then(
      (templates) => {
        const sorted = [...templates].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
        this.cached = { at: this.clock.now(), templates: sorted };
        this.inflight = undefined;
        return sorted;
      },
      (err: unknown) => {
        this.inflight = undefined;
        throw err;
      },
    );
    return this.inflight;
  }

  async find(id: string): Promise<MessageTemplate | undefined> {
    return (await this.list()).find((t) => templateId(t) === id);
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
