import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  derivePagerDutyDedupKey,
  PAGERDUTY_LIMITS,
  renderPagerDutyEvent,
} from '../../../../shared/notify/render/pagerduty-event.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

const fixture = JSON.parse(readFileSync('test/fixtures/pagerduty/enqueue-trigger-request.json', 'utf8')) as {
  payload: Record<string, unknown>;
} & Record<string, unknown>;

describe('renderPagerDutyEvent', () => {
  it('builds a trigger with the documented request shape', () => {
    const event = renderPagerDutyEvent(buildMessage(), 'R0UTINGKEY', 'trigger');
    for (const key of [
      'routing_key',
      'dedup_key',
      'event_action',
      'payload',
      'client',
      'client_url',
      'links',
    ]) {
      expect(fixture).toHaveProperty(key);
      expect(event).toHaveProperty(key);
    }
    for (const key of [
      'summary',
      'timestamp',
      'severity',
      'source',
      'component',
      'group',
      'class',
      'custom_details',
    ]) {
      expect(fixture.payload).toHaveProperty(key);
      expect(event.payload).toHaveProperty(key);
    }
    expect(event).toMatchObject({
      routing_key: 'R0UTINGKEY',
      event_action: 'trigger',
      dedup_key: 'probe:control-arm',
      client_url: 'https://status.example.com/incidents/probe%3Acontrol-arm',
      payload: { severity: 'critical', source: 'crosswatch/crosswatch/control', component: 'control' },
    });
    expect(event.payload?.summary).toContain('Azure control plane failing from 3 of 3 vantages');
    expect(event.links).toEqual([
      { href: 'https://status.example.com/incidents/probe%3Acontrol-arm', text: 'Status page' },
    ]);
  });

  it('resolves with the same dedup_key and routing key and no payload', () => {
    const message = buildMessage();
    const trigger = renderPagerDutyEvent(message, 'KEY', 'trigger');
    const resolve = renderPagerDutyEvent({ ...message, action: 'resolve' }, 'KEY', 'resolve');
    expect(resolve).toEqual({ routing_key: 'KEY', event_action: 'resolve', dedup_key: trigger.dedup_key });
  });

  it('derives a stable, hash-suffixed dedup_key of at most 255 chars from a 1,000-char incidentKey', () => {
    const long = `probe:${'x'.repeat(994)}`;
    const key = derivePagerDutyDedupKey(long);
    expect(key.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
    expect(key).toMatch(/^probe:x+#[0-9a-f]{16}$/);
    expect(derivePagerDutyDedupKey(long)).toBe(key);
    expect(derivePagerDutyDedupKey(`${long.slice(0, -1)}y`)).not.toBe(key);
    expect(derivePagerDutyDedupKey('azure:1LTK-9ZZ')).toBe('azure:1LTK-9ZZ');
    const event = renderPagerDutyEvent(buildMessage({ incidentKey: long }), 'K', 'trigger');
    expect(event.dedup_key).toBe(key);
  });

  it('keeps the summary within 1,024 chars', () => {
    const event = renderPagerDutyEvent(
      buildMessage({ headline: 'h'.repeat(5_000), summary: 's'.repeat(100_000) }),
      'K',
      'trigger',
    );
    expect(event.payload?.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(512 * 1024);
  });
});
