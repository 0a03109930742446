/**
 * Structured logging. Events are dotted lower-case names (`whatsapp.webhook.received`); fields are
 * camelCase. Callers never pass secrets or full phone numbers (use `maskId`); the implementation
 * redacts them again as a safety net.
 */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}
