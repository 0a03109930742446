import { signedWebhook, webhookEnvelope, type WebhookChangeSpec } from "../sign-webhook";

/** The outcome of delivering one webhook, after retries. */
export type DeliveryResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly status?: number; readonly error: string };

export interface WebhookClientOptions {
  /** The Meta app secret: the HMAC key of `X-Hub-Signature-256` (docs/protocols.md A3). */
  readonly appSecret: string;
  /** Delays between attempts; Meta retries for days with backoff, the simulator a few times quickly. */
  readonly retryDelaysMs?: readonly number[];
  /** Per attempt. */
  readonly timeoutMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000];

/**
 * Delivers webhooks to the bridge exactly as Meta does: one JSON POST per delivery, signed over the raw
 * bytes with the app secret, retried while the answer is not 200 (docs/protocols.md A4). The target is set once the bridge
 * is up (`connect`), since the bridge itself needs the simulator's address first.
 */
export class WebhookClient {
  private target: string | undefined;
  private closed = false;
  /** Pending waits between attempts; `close` ends them at once. */
  private readonly waits = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly options: WebhookClientOptions) {}

  /** The bridge's webhook URL, e.g. `http://127.0.0.1:3978/api/whatsapp/webhook`. */
  connect(url: string): void {
    this.target = url;
  }

  get url(): string | undefined {
    return this.target;
  }

  /** Signs and POSTs one envelope holding `changes`; resolves when the bridge answered 200 or retries ran out. */
  async deliver(...changes: WebhookChangeSpec[]): Promise<DeliveryResult> {
    const { body, headers } = signedWebhook(webhookEnvelope(...changes), this.options.appSecret);
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    let last: DeliveryResult = { ok: false, error: "no bridge connected to the simulator" };
    for (let attempt = 0; attempt <= delays.length && !this.closed; attempt++) {
      if (attempt > 0) await this.sleep(delays[attempt - 1] ?? 0);
      if (this.closed) break;
      if (!this.target) continue;
      last = await this.post(this.target, body, headers);
      if (last.ok) return last;
    }
    return last;
  }

  /** Stops retrying; pending deliveries resolve with their last result. */
  close(): void {
    this.closed = true;
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve();
    }
    this.waits.clear();
  }

  private async post(url: string, body: Buffer, headers: Record<string, string>): Promise<DeliveryResult> {
    try {
      const response = await fetch(url, { method: "POST", headers, body: new Uint8Array(body), signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
      await response.arrayBuffer();
      return response.status === 200 ? { ok: true, status: 200 } : { ok: false, status: response.status, error: `the bridge answered ${response.status}` };
    } catch (err) {
      return { ok: false, error: `the bridge could not be reached (${err instanceof Error ? err.message : String(err)})` };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }
}
