/** pollStatusFeed against a loopback HTTP server serving feed fixtures, alone and in a poll round. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import { processEvents } from '../../../shared/engine/process-event.ts';
import { HEALTH_SOURCES } from '../../../shared/poll/poll-result.ts';
import { runPollRound } from '../../../shared/poll/run-poll-round.ts';
import { pollStatusFeed } from '../../../shared/poll/status-feed.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const probeFeed = (name: string) =>
  readFileSync(new URL(`../../fixtures/probe-targets/feeds/${name}`, import.meta.url), 'utf8');
const statusFeed = (variant: string) =>
  readFileSync(new URL(`../../fixtures/azure-status-feed/${variant}.xml`, import.meta.url), 'utf8');

const NOW = () => new Date('2026-11-29T12:00:00.000Z');

let server: Loopback;
beforeAll(async () => {
  server = await startHttpServer((request, response) => {
    if (request.url === '/feed') {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.end(probeFeed('azure-status-rss.xml'));
    } else if (request.url === '/active') {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.end(statusFeed('active'));
    } else if (request.url === '/invalid') {
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end('<rss><channel><item>');
    } else {
      response.writeHead(503);
      response.end();
    }
  });
});
afterAll(() => server.close());

describe('pollStatusFeed', () => {
  it('returns every entry, and the entries of the last 24 h as azure-status-feed events', async () => {
    const url = `${server.url}/active`;
    const result = await pollStatusFeed({ url, now: NOW });
    expect(result.source).toBe('azure-status-feed');
    expect(result.status).toEqual({ reachable: true });
    expect(result.entries).toHaveLength(2);
    expect(result.events.map((event) => event.data.incidentKey)).toEqual([
      expect.stringMatching(/^azure-status:[0-9a-f]{16}$/),
      'azure:VLX8-3Z8',
    ]);
    for (const event of result.events) {
      assertValidEvent(event);
      expect(event.data.origin).toBe('azure-status-feed');
      expect(event.data.attributes.feedUrl).toBe(url);
    }
  });

  it('turns only recent entries into events (maxAgeMs)', async () => {
    const url = `${server.url}/feed`;
    const old = await pollStatusFeed({ url, now: NOW });
    expect(old.entries.length).toBe(2);
    expect(old.events).toEqual([]);
    const recent = await pollStatusFeed({ url, now: () => new Date('2026-02-02T21:00:00.000Z') });
    expect(recent.events.map((event) => event.data.title)).toEqual([
      'Virtual Machines - Service management operation failures - Multiple regions',
    ]);
    const wide = await pollStatusFeed({
      url,
      now: () => new Date('2026-02-02T21:00:00.000Z'),
      maxAgeMs: 3 * 24 * 60 * 60_000,
    });
    expect(wide.events.map((event) => [event.data.title, event.data.status])).toEqual([
      ['Storage - Elevated latency - West Europe', 'resolved'],
      ['Virtual Machines - Service management operation failures - Multiple regions', 'active'],
    ]);
  });

  it('reports a 503 as HTTP_503 and an unparseable feed as FeedParseError', async () => {
    expect((await pollStatusFeed({ url: `${server.url}/down` })).status).toEqual({
      reachable: false,
      reason: 'HTTP_503',
    });
    expect((await pollStatusFeed({ url: `${server.url}/invalid` })).status).toEqual({
      reachable: false,
      reason: 'FeedParseError',
    });
  });

  it('hands its events to the engine in a poll round; the next round finds only duplicates', async () => {
    const store = createMemoryStore();
    const poller = {
      source: HEALTH_SOURCES.azureStatusFeed,
      poll: () => pollStatusFeed({ url: `${server.url}/active`, now: NOW }),
    };
    const deps = {
      store,
      config: DEFAULT_ENGINE_CONFIG,
      now: NOW,
      processEvents: (events: Parameters<typeof processEvents>[0]) =>
        processEvents(events, { store, now: NOW }),
    };
    const first = await runPollRound([poller], deps);
    expect(first.decisions.map((decision) => decision.kind)).toEqual(['open', 'open']);
    expect(first.decisions.map((decision) => decision.incidentKey)).toContain('azure:VLX8-3Z8');
    const second = await runPollRound([poller], deps);
    expect(second.decisions.map((decision) => decision.kind)).toEqual(['duplicate', 'duplicate']);
  });
});
