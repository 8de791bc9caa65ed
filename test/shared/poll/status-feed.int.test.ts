/** pollStatusFeed against a loopback HTTP server serving the feed fixtures of the feed probe. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollStatusFeed } from '../../../shared/poll/status-feed.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const feed = (name: string) =>
  readFileSync(new URL(`../../fixtures/probe-targets/feeds/${name}`, import.meta.url), 'utf8');

let server: Loopback;
beforeAll(async () => {
  server = await startHttpServer((request, response) => {
    if (request.url === '/feed') {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.end(feed('azure-status-rss.xml'));
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
  it('returns the feed entries and a reachable source', async () => {
    const result = await pollStatusFeed({ url: `${server.url}/feed` });
    expect(result.source).toBe('azure-status-feed');
    expect(result.status).toEqual({ reachable: true });
    expect(result.entries.length).toBeGreaterThan(0);
    expect(result.entries[0]?.title).toEqual(expect.any(String));
    expect(result.events).toEqual([]);
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
});
