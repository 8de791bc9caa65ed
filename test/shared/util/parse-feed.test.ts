import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeedEntries } from '../../../shared/util/parse-feed.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/probe-targets/feeds/${name}`, import.meta.url), 'utf8');

describe('parseFeedEntries', () => {
  it('parses RSS 2.0 items into plain-text entries, newest first', async () => {
    const entries = await parseFeedEntries(fixture('azure-status-rss.xml'));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      title: 'Virtual Machines - Service management operation failures - Multiple regions',
      link: 'https://azure.status.microsoft/en-us/status/',
      published: '2026-02-02T20:10:00.000Z',
      summary:
        'Impact Statement: Starting at 19:46 UTC on 02 February 2026, customers may experience failures when performing service management operations (create, delete, update, scale, start, stop) & extension installs.',
      id: 'VM-Extension-2026-02-02',
    });
    expect(entries[1]).toMatchObject({
      title: 'Storage - Elevated latency - West Europe',
      summary: 'Mitigated.',
      published: '2026-02-01T08:00:00.000Z',
    });
  });

  it('treats an empty channel as no entries (no active incidents)', async () => {
    expect(await parseFeedEntries(fixture('empty-rss.xml'))).toEqual([]);
  });

  it('parses Atom entries, their alternate link and HTML summaries', async () => {
    const entries = await parseFeedEntries(fixture('atom.xml'));
    expect(entries.map((entry) => entry.title)).toEqual(['Exchange Online – mail delivery delays', 'Older']);
    expect(entries[0]).toMatchObject({
      link: 'https://status.example.test/incidents/1',
      published: '2026-01-22T09:31:00.000Z',
      summary: 'Inbound mail is deferred with 451.',
      id: 'urn:example:incident:1',
    });
    expect(entries[1]).toMatchObject({ published: '2026-01-20T08:00:00.000Z', summary: 'Resolved.' });
  });

  it('refuses malformed XML and documents that are not feeds', async () => {
    await expect(parseFeedEntries(fixture('invalid.xml'))).rejects.toBeInstanceOf(FeedParseError);
    await expect(parseFeedEntries(fixture('not-a-feed.xml'))).rejects.toThrow(/neither <rss> nor <feed>/);
    await expect(parseFeedEntries('')).rejects.toBeInstanceOf(FeedParseError);
  });
});
