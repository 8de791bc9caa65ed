import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeedEntries, probeFeed } from '../../../shared/probe/feed.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/probe-targets/feeds/${name}`, import.meta.url), 'utf8');
let server: Loopback;

beforeAll(async () => {
  server = await startHttpServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    if (name === 'gone') {
      response.statusCode = 503;
      response.end('busy');
      return;
    }
    try {
      const body = fixture(name);
      response.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
});
afterAll(async () => {
  await server.close();
});

const feedTarget = (path: string) =>
  makeTarget({ kind: 'feed', plane: 'status', url: `${server.url}/${path}` });

describe('feed probe against a feed server on loopback', () => {
  it('reports the entry count and the latest entry', async () => {
    const report = await probeFeed(feedTarget('azure-status-rss.xml'), createProbeContext());
    expect(report.outcome).toBe('up');
    expect(report.observations).toMatchObject({
      status: 200,
      entryCount: 2,
      latestTitle: 'Virtual Machines - Service management operation failures - Multiple regions',
      latestPublished: '2026-02-02T20:10:00.000Z',
    });
  });

  it('treats an empty channel as healthy (no active incidents)', async () => {
    const report = await probeFeed(feedTarget('empty-rss.xml'), createProbeContext());
    expect(report).toMatchObject({ outcome: 'up', observations: { entryCount: 0, latestTitle: null } });
  });

  it('reports an unparseable feed as FEED_INVALID and a 503 as HTTP_503', async () => {
    expect(await probeFeed(feedTarget('invalid.xml'), createProbeContext())).toMatchObject({
      outcome: 'down',
      error: 'FEED_INVALID',
    });
    expect(await probeFeed(feedTarget('gone'), createProbeContext())).toMatchObject({
      outcome: 'down',
      error: 'HTTP_503',
    });
  });

  it('returns the entries for the status poller', async () => {
    const entries = await fetchFeedEntries(`${server.url}/atom.xml`, createProbeContext());
    expect(entries.map((entry) => entry.id)).toEqual(['urn:example:incident:1', 'urn:example:incident:0']);
  });
});
