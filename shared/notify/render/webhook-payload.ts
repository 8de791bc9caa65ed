/**
 * The generic webhook body: the message model itself, versioned, with the delivery id (also the
 * `webhook-id` header). The body is the same on every attempt of a delivery. The summary is bounded so the body stays small (Standard Webhooks advise
 * keeping payloads around 20 KB).
 */
import type { NotificationMessage } from '../message.ts';
import { truncateText } from './truncate-text.ts';

export const WEBHOOK_PAYLOAD_TYPE = 'io.crosswatch.notification';
export const WEBHOOK_PAYLOAD_VERSION = 1;
export const WEBHOOK_SUMMARY_LIMIT = 8_000;

export interface WebhookPayload {
  readonly type: typeof WEBHOOK_PAYLOAD_TYPE;
  readonly version: typeof WEBHOOK_PAYLOAD_VERSION;
  readonly deliveryId: string;
  readonly message: NotificationMessage;
}

export function renderWebhookPayload(message: NotificationMessage, deliveryId: string): WebhookPayload {
  return {
    type: WEBHOOK_PAYLOAD_TYPE,
    version: WEBHOOK_PAYLOAD_VERSION,
    deliveryId,
    message: {
      ...message,
      title: truncateText(message.title, 1_000),
      headline: truncateText(message.headline, 1_000),
      summary: truncateText(message.summary, WEBHOOK_SUMMARY_LIMIT),
      seen: message.seen.slice(0, 20).map((item) => truncateText(item, 500)),
      likely: message.likely.slice(0, 20).map((item) => truncateText(item, 500)),
    },
  };
}
