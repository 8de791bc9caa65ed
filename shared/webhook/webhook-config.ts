/**
 * What the webhook ingress is configured with (the `webhook` section of crosswatch.config.json, or
 * the CROSSWATCH_WEBHOOK_* settings on Azure and AWS). Types only: no runtime imports.
 */
import type { EntraWebhookConfig } from './entra-webhook-token.ts';

export interface WebhookConfig {
  /** Secret tokens accepted as `?token=` (several for rotation). Empty: token auth is off. */
  readonly tokens: readonly string[];
  /** Entra ID secure-webhook validation; null: bearer tokens are refused. */
  readonly entra: EntraWebhookConfig | null;
  /** `whsec_…` secrets for Standard Webhooks signatures on /api/webhook (several for rotation). */
  readonly standardWebhookSecrets: readonly string[];
  /** Bodies over this many bytes are refused with 413 before parsing. */
  readonly maxBodyBytes: number;
  /** When non-empty, payloads must name only these Azure subscriptions (403 otherwise). */
  readonly allowedSubscriptionIds: readonly string[];
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
