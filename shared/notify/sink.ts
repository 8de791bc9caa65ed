/**
 * The sink contract: every notification channel (Slack, Teams, PagerDuty, Opsgenie, signed webhook,
 * SMTP and SES email, SNS, file/console) is one file in `sinks/` exporting a `create…Sink` factory
 * that returns a `Sink`. The outbox worker only ever calls `send` and acts on the classified result;
 * a sink never retries by itself and never throws for a failed delivery.
 */
import type { NotificationMessage } from './message.ts';
import type { OutboxSettings } from './outbox-settings.ts';

export const SINK_KINDS = [
  'slack',
  'teams',
  'pagerduty',
  'opsgenie',
  'webhook',
  'email',
  'ses',
  'sns',
  'file',
  'console',
] as const;
export type SinkKind = (typeof SINK_KINDS)[number];
/** Sinks crosswatch makes itself, never configured under notify.sinks: a mesh peer's route. */
export type SystemSinkKind = 'peer';

/**
 * What a delivery carries when it is not a notification: a payload prepared by its producer for a
 * system sink (the probe results of a round for a mesh peer). The outbox treats it like any message:
 * queued per sink in order, retried, dead-lettered.
 */
export interface PayloadMessage {
  readonly kind: 'payload';
  /** One line for listings (`crosswatch deliveries`). */
  readonly title: string;
  readonly incidentKey: string;
  readonly updateKey: string;
  readonly decidedAt: string;
  /** The exact text to send (JSON). */
  readonly body: string;
}

export type OutboxMessage = NotificationMessage | PayloadMessage;

/** How one send attempt ended, as far as the sink's API lets us know. */
export type SendResult =
  /** Accepted by the destination (2xx, 202 for Teams/PagerDuty, SMTP 250…). */
  | {
      readonly outcome: 'delivered';
      readonly status: number | null;
      /** What the destination gave back to prove it (message id, dedup key, alert request id). */
      readonly receipt: string | null;
      readonly detail: string;
    }
  /** The destination asked us to wait (429/503 with Retry-After, SMTP 421/451 with a hint). */
  | {
      readonly outcome: 'retry-after';
      readonly status: number | null;
      readonly retryAfterMs: number;
      readonly detail: string;
    }
  /** Worth retrying with backoff: 5xx, 408, timeouts, resets, DNS failures, SMTP 4xx. */
  | { readonly outcome: 'transient'; readonly status: number | null; readonly detail: string }
  /** Never retried: 400/401/403/404/410, a refused destination (SSRF guard), SMTP 5xx, bad config. */
  | { readonly outcome: 'permanent'; readonly status: number | null; readonly detail: string };

export type SendOutcome = SendResult['outcome'];

export interface SendContext {
  /** Stable per (decision × sink): sinks that support idempotency keys pass it on. */
  readonly deliveryId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Aborts the attempt (per-attempt timeout, shutdown). */
  readonly signal: AbortSignal;
}

/** Pacing a sink asks the outbox worker for (Slack 1/s per webhook, Teams 4/s, PagerDuty 120/min). */
export interface SinkRateLimit {
  readonly requests: number;
  readonly perMs: number;
}

/** Retry settings a sink needs other than the outbox's (a mesh peer: many attempts, short waits). */
export type SinkRetry = Partial<Pick<OutboxSettings, 'maxAttempts' | 'maxAgeMs' | 'maxDelayMs'>>;

export interface Sink<M extends OutboxMessage = NotificationMessage> {
  /** The configured name (routing refers to sinks by name). */
  readonly name: string;
  readonly kind: SinkKind | SystemSinkKind;
  readonly rateLimit: SinkRateLimit | null;
  /** Overrides of the outbox's retry settings for this sink's deliveries (none: the outbox's). */
  readonly retry?: SinkRetry;
  /**
   * Sends one message. Resolves with a classified result for every failure it can classify; the
   * `detail` strings are safe to store (no secrets: URLs, keys and tokens are redacted).
   */
  send(message: M, context: SendContext): Promise<SendResult>;
}

/** Any sink the outbox worker drives (notification sinks and system sinks alike). */
export type OutboxSink = Sink<OutboxMessage>;
