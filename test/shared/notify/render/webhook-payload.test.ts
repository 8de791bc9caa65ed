import { describe, expect, it } from 'vitest';
import {
  renderWebhookPayload,
  WEBHOOK_PAYLOAD_VERSION,
} from '../../../../shared/notify/render/webhook-payload.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

describe('renderWebhookPayload', () => {
  it('is the versioned message model with the delivery id', () => {
    const message = buildMessage();
    const payload = renderWebhookPayload(message, 'd-1');
    expect(payload).toEqual({
      type: 'io.crosswatch.notification',
      version: WEBHOOK_PAYLOAD_VERSION,
      deliveryId: 'd-1',
      message,
    });
    const big = renderWebhookPayload(buildMessage({ summary: 'x'.repeat(1_000_000) }), 'd-2');
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThan(20_000);
  });
});
