/**
 * The outbox with the real Slack sink against a loopback Slack emulator, on the SQLite store:
 * ten messages queued within one second are paced at 1/s (on the fake clock: no real waiting) and
 * all arrive, in order; a 429 with `Retry-After: 2` is retried no sooner than 2 s later; a 404
 * (`channel_not_found`) dead-letters at once and fires the fallback to a second Slack webhook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSink } from '../../../shared/notify/create-sink.ts';
import { listDeliveries } from '../../../shared/notify/dead-letters.ts';
import { enqueueNotifications } from '../../../shared/notify/enqueue-notifications.ts';
import { DEFAULT_OUTBOX_SETTINGS } from '../../../shared/notify/outbox-settings.ts';
import { createOutboxWorker } from '../../../shared/notify/outbox-worker.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';
import {
  buildDecision,
  buildTestMessage,
  createFakeClock,
  type FakeClock,
  routeAllTo,
  T0,
} from '../../helpers/outbox-fixtures.ts';

interface Received {
  readonly path: string;
  readonly at: number;
  readonly text: string;
}

const dir = mkdtempSync(join(tmpdir(), 'crosswatch-outbox-slack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox → Slack sink → loopback Slack', () => {
  let server: Loopback;
  let store: StateStore;
  let clock: FakeClock;
  let received: Received[];
  let answer: (request: IncomingMessage, response: ServerResponse, index: number) => void;
  let n = 0;

  beforeEach(async () => {
    clock = createFakeClock();
    received = [];
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    };
    server = await startHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string };
        received.push({ path: request.url ?? '', at: clock.ms(), text: body.text ?? '' });
        answer(request, response, received.length - 1);
      });
    });
    store = createSqliteStore({ path: join(dir, `slack-${++n}.db`) });
  });
  afterEach(async () => {
    await store.close();
    await server.close();
  });

  function slackSink(name: string, path: string) {
    return createSink(
      { kind: 'slack', name, url: `${server.url}${path}`, allowInsecure: true, allowPrivate: true },
      { now: clock.now },
    );
  }

  async function enqueue(
    decisions: ReturnType<typeof buildDecision>[],
    sinks: string[],
    fallback: string[] = [],
  ) {
    await enqueueNotifications(decisions, {
      store,
      routing: routeAllTo(sinks, fallback),
      now: clock.now,
      buildMessage: (decision) => buildTestMessage(decision),
    });
  }

  function worker(sinks: ReturnType<typeof slackSink>[]) {
    return createOutboxWorker({
      store,
      sinks,
      settings: DEFAULT_OUTBOX_SETTINGS,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    });
  }

  it('paces ten messages queued within one second at 1/s, and all arrive in order', async () => {
    const slack = slackSink('slack', '/services/T0/B0/secret');
    expect(slack.rateLimit).toEqual({ requests: 1, perMs: 1000 });
    const decisions = Array.from({ length: 10 }, (_, i) =>
      buildDecision({ decidedAt: new Date(T0 + i * 90).toISOString() }),
    );
    await enqueue(decisions, ['slack']);
    const summary = await worker([slack]).drain();
    expect(summary).toMatchObject({ delivered: 10, retried: 0, dead: 0 });
    expect(received).toHaveLength(10);
    // Order: the titles in the Slack fallback text appear in decision order.
    received.forEach((request, index) => {
      expect(request.text).toContain(decisions[index]?.title);
    });
    const gaps = received.slice(1).map((request, index) => request.at - (received[index]?.at ?? 0));
    expect(gaps.every((gap) => gap >= 1000)).toBe(true);
    expect((await listDeliveries(store)).every((record) => record.status === 'delivered')).toBe(true);
  });

  it('retries a 429 with Retry-After: 2 no sooner than 2 s later', async () => {
    answer = (_request, response, index) => {
      if (index === 0) {
        response.writeHead(429, { 'retry-after': '2', 'content-type': 'text/plain' });
        response.end('rate_limited');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    };
    const slack = slackSink('slack', '/services/T0/B0/secret');
    await enqueue([buildDecision()], ['slack']);
    const summary = await worker([slack]).drain();
    expect(summary).toMatchObject({ delivered: 1, retried: 1 });
    expect(received).toHaveLength(2);
    expect((received[1]?.at ?? 0) - (received[0]?.at ?? 0)).toBeGreaterThanOrEqual(2000);
    const [record] = await listDeliveries(store);
    expect(record?.history.map((attempt) => [attempt.outcome, attempt.status])).toEqual([
      ['retry-after', 429],
      ['delivered', 200],
    ]);
  });

  it('dead-letters channel_not_found at once and fires the fallback webhook', async () => {
    answer = (request, response) => {
      if (request.url?.includes('/primary/')) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('channel_not_found');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    };
    const primary = slackSink('primary', '/services/primary/SENTINEL-PRIMARY-SECRET');
    const backup = slackSink('backup', '/services/backup/SENTINEL-BACKUP-SECRET');
    const decision = buildDecision();
    await enqueue([decision], ['primary'], ['backup']);
    const summary = await worker([primary, backup]).drain();
    expect(summary).toMatchObject({ delivered: 1, dead: 1, retried: 0 });
    expect(received.map((request) => request.path.split('/')[2])).toEqual(['primary', 'backup']);
    const records = await listDeliveries(store);
    const dead = records.find((record) => record.sink === 'primary');
    expect(dead?.deadReason).toMatch(/^permanent failure: permanent \(404\)/);
    expect(JSON.stringify(records)).not.toContain('SENTINEL');
    expect(records.find((record) => record.sink === 'backup')).toMatchObject({
      status: 'delivered',
      fallbackOf: `${decision.id}:primary`,
    });
  });
});
