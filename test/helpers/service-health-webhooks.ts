/**
 * Service Health webhook bodies (Azure Monitor common alert schema) for storm tests: the four
 * publications of one incident (Active, Active with a new communicationId, Resolved, RCA), each sent
 * by every subscription `copies` times, shuffled with a seed. Built from the public test-action
 * fixture; the only thing that differs between two subscriptions' bodies is the subscription id.
 */
import { readFileSync } from 'node:fs';
import { createInboxEntry, type InboxEntry } from '../../shared/inbox/inbox.ts';
import { shuffleWithSeed } from './engine-events.ts';

const FIXTURE = new URL(
  '../fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json',
  import.meta.url,
);
const FIXTURE_SUBSCRIPTION = 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e';
export const STORM_TRACKING_ID = 'TEST-TTT';

const UPDATES = [
  { communicationId: '11223344556601', stage: 'Active', status: 'Active', at: '2026-02-02T20:13:51.000Z' },
  { communicationId: '11223344556602', stage: 'Active', status: 'Active', at: '2026-02-02T21:05:12.000Z' },
  {
    communicationId: '11223344556603',
    stage: 'Resolved',
    status: 'Resolved',
    at: '2026-02-03T01:30:00.000Z',
  },
  { communicationId: '11223344556604', stage: 'RCA', status: 'Resolved', at: '2026-02-06T10:00:00.000Z' },
] as const;

export function toStormSubscription(index: number): string {
  return `${index.toString(16).padStart(8, '0')}-bb1b-cc2c-dd3d-eeeeee4e4e4e`;
}

/** The four updates × `subscriptions` × `copies` bodies, shuffled. */
export function buildServiceHealthWebhookStorm(options: {
  readonly subscriptions: number;
  readonly copies: number;
  readonly seed: number;
}): string[] {
  const template = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const bodies: string[] = [];
  for (const update of UPDATES) {
    const payload = structuredClone(template);
    const context = payload.data.alertContext;
    context.properties.stage = update.stage;
    context.properties.communicationId = update.communicationId;
    context.status = update.status;
    context.eventTimestamp = update.at;
    context.submissionTimestamp = update.at;
    context.properties.impactStartTime = UPDATES[0].at;
    context.properties.impactMitigationTime = update.status === 'Resolved' ? UPDATES[2].at : null;
    payload.data.essentials.firedDateTime = update.at;
    const text = JSON.stringify(payload);
    for (let s = 0; s < options.subscriptions; s++) {
      const body = text.replaceAll(FIXTURE_SUBSCRIPTION, toStormSubscription(s));
      for (let copy = 0; copy < options.copies; copy++) bodies.push(body);
    }
  }
  return shuffleWithSeed(bodies, options.seed);
}

/** The bodies as accepted inbox entries, received a millisecond apart from `start`. */
export function toInboxEntries(
  bodies: readonly string[],
  start = Date.parse('2026-02-06T11:00:00.000Z'),
): InboxEntry[] {
  return bodies.map((body, index) =>
    createInboxEntry(Buffer.from(body), {
      source: 'service-health',
      contentType: 'application/json',
      receivedAt: new Date(start + index),
    }),
  );
}
