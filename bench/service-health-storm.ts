/**
 * Service Health webhook storms for the benchmarks: the published updates of one incident, each sent
 * once per subscription (and optionally several times), shuffled with a fixed seed. Every body is an
 * Azure Monitor common-alert-schema Service Health alert built from bench/payloads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TEMPLATE_SUBSCRIPTION = '3f2a9c1e-7b4d-4e8a-9c21-5d6e7f8a9b0c';
const TEMPLATE_TRACKING_ID = 'FNJ8-VQZ';
const PAYLOAD = new URL('payloads/service-health-incident-active.json', import.meta.url).pathname;

export interface StormUpdate {
  readonly communicationId: string;
  readonly stage: string;
  readonly status: 'Active' | 'Resolved';
  readonly at: string;
}

/** Active, Active with a new communicationId, Resolved, RCA: one incident's four publications. */
export const FOUR_UPDATES: readonly StormUpdate[] = [
  {
    communicationId: '11000098765432',
    stage: 'Active',
    status: 'Active',
    at: '2026-02-02T20:13:51.5612836Z',
  },
  {
    communicationId: '11000098765499',
    stage: 'Active',
    status: 'Active',
    at: '2026-02-02T21:05:12.0000000Z',
  },
  {
    communicationId: '11000098765555',
    stage: 'Resolved',
    status: 'Resolved',
    at: '2026-02-03T01:30:00.0000000Z',
  },
  { communicationId: '11000098769999', stage: 'RCA', status: 'Resolved', at: '2026-02-06T10:00:00.0000000Z' },
];

/** `count` publications of one incident: Active ones 20 minutes apart, then Resolved, then RCA. */
export function makeUpdates(count: number): StormUpdate[] {
  const start = Date.parse('2026-02-02T20:13:51.000Z');
  return Array.from({ length: count }, (_, index) => {
    const stage = index === count - 1 ? 'RCA' : index === count - 2 ? 'Resolved' : 'Active';
    return {
      communicationId: String(11000098765000 + index),
      stage,
      status: stage === 'Active' ? 'Active' : 'Resolved',
      at: new Date(start + index * 20 * 60_000).toISOString(),
    } satisfies StormUpdate;
  });
}

export function subscriptionId(index: number): string {
  return `${index.toString(16).padStart(8, '0')}-7b4d-4e8a-9c21-5d6e7f8a9b0c`;
}

export function seededShuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

interface ServiceHealthTemplate {
  data: {
    essentials: Record<string, unknown>;
    alertContext: Record<string, unknown> & { properties: Record<string, unknown> };
  };
}

function readTemplate(): ServiceHealthTemplate {
  return JSON.parse(readFileSync(PAYLOAD, 'utf8'));
}

/** One publication as the body an action group posts. */
export function renderUpdate(update: StormUpdate, options: { readonly trackingId?: string } = {}): string {
  const payload = readTemplate();
  const context = payload.data.alertContext;
  context.properties.stage = update.stage;
  context.properties.communicationId = update.communicationId;
  context.status = update.status;
  context.eventTimestamp = update.at;
  context.submissionTimestamp = update.at;
  payload.data.essentials.firedDateTime = update.at;
  if (update.status === 'Resolved') context.properties.impactMitigationTime = update.at;
  let text = JSON.stringify(payload);
  if (options.trackingId) text = text.replaceAll(TEMPLATE_TRACKING_ID, options.trackingId);
  return text;
}

/** Each update once per subscription, `copies` times, shuffled (seeded). */
export function buildServiceHealthStorm(options: {
  readonly updates: readonly StormUpdate[];
  readonly subscriptions: number;
  readonly copies: number;
  readonly seed?: number;
}): string[] {
  const bodies: string[] = [];
  for (const update of options.updates) {
    const text = renderUpdate(update);
    for (let s = 0; s < options.subscriptions; s++) {
      const body = text.replaceAll(TEMPLATE_SUBSCRIPTION, subscriptionId(s));
      for (let copy = 0; copy < options.copies; copy++) bodies.push(body);
    }
  }
  return seededShuffle(bodies, options.seed ?? 20260202);
}

export const PAYLOAD_DIR = join(PAYLOAD, '..');
