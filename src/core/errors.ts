/**
 * Errors that carry the decision: adapters convert foreign failures into these, so the core never sees an
 * SDK error. `retryable` says whether trying again can help; `userMessage` is what a person in the thread
 * reads; `code` is a stable dotted name for logs and metrics.
 */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: {
      readonly retryable?: boolean;
      readonly retryAfterMs?: number;
      readonly userMessage?: string;
      readonly cause?: unknown;
      /** The request certainly had no effect (refused before acting): retrying cannot duplicate it. */
      readonly notApplied?: boolean;
    } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
  get retryable(): boolean { return this.options.retryable ?? false; }
  get retryAfterMs(): number | undefined { return this.options.retryAfterMs; }
  get userMessage(): string { return this.options.userMessage ?? this.message; }
  get notApplied(): boolean { return this.options.notApplied ?? false; }
}

/** Worth trying again later (throttling, 5xx, timeouts). */
export class TransientError extends BridgeError {
  constructor(code: string, message: string, options: { retryAfterMs?: number; userMessage?: string; cause?: unknown; notApplied?: boolean } = {}) {
    super(code, message, { ...options, retryable: true });
  }
}

/** Trying again will not help until something changes (bad request, permission, policy). */
export class PermanentError extends BridgeError {
  constructor(code: string, message: string, options: { userMessage?: string; cause?: unknown; notApplied?: boolean } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/** A WhatsApp send that Meta refused; carries Meta's numeric code for the notice. */
export class WhatsAppSendError extends BridgeError {
  constructor(
    readonly metaCode: number | undefined,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; userMessage: string; cause?: unknown },
  ) {
    super(`whatsapp.send_failed${metaCode === undefined ? "" : `.${metaCode}`}`, message, options);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof BridgeError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
