/**
 * Public status feed probe (status plane): an RSS 2.0 or Atom feed such as the Azure status feed,
 * fetched and parsed into entries, so a public status change is an input too. An empty channel means
 * "no active incidents" and is healthy; a feed that does not parse is FEED_INVALID. The XML parser is
 * imported lazily, only on this path.
 */
import { toPlainText, toPlainTitle } from '../ingest/text.ts';
import { toIsoUtc } from '../ingest/time.ts';
import { evaluateHttpExchange, performHttpExchange } from './http.ts';
import {
  type Observation,
  type ProbeContext,
  ProbeFailure,
  type ProbeReport,
  reportFailure,
} from './probe-types.ts';
import type { FeedTarget } from './targets-file.ts';

export const AZURE_STATUS_FEED_URL = 'https://rssfeed.azure.status.microsoft/en-us/status/feed/';
const MAX_FEED_BYTES = 2 * 1024 * 1024;

export interface FeedEntry {
  readonly title: string;
  readonly link: string | null;
  /** ISO 8601 UTC, or null when the feed gives no parseable date. */
  readonly published: string | null;
  /** Plain text: HTML stripped, entities decoded. */
  readonly summary: string;
  readonly id: string | null;
}

/** The feed's XML does not parse or is neither RSS 2.0 nor Atom. */
export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNode(value)) return textOf(value['#text']);
  if (Array.isArray(value)) return textOf(value[0]);
  return '';
}

function atomLink(value: unknown): string | null {
  const links = list(value).filter(isNode);
  const preferred =
    links.find((link) => link['@_rel'] === undefined || link['@_rel'] === 'alternate') ?? links[0];
  const href = preferred?.['@_href'];
  if (typeof href === 'string' && href !== '') return href;
  const text = textOf(value).trim();
  return text === '' ? null : text;
}

function toEntry(
  title: unknown,
  link: string | null,
  published: unknown,
  summary: unknown,
  id: unknown,
): FeedEntry {
  const idText = textOf(id).trim();
  return {
    title: toPlainTitle(textOf(title)),
    link: link !== null && link.trim() !== '' ? link.trim() : null,
    published: toIsoUtc(textOf(published)) ?? null,
    summary: toPlainText(textOf(summary), 4000),
    id: idText === '' ? null : idText,
  };
}

/** Parses RSS 2.0 or Atom into entries, newest first; throws FeedParseError for anything else. */
let xmlParserModule: Promise<typeof import('fast-xml-parser')> | undefined;

export async function parseFeedEntries(xml: string): Promise<FeedEntry[]> {
  xmlParserModule ??= import('fast-xml-parser');
  const { XMLParser, XMLValidator } = await xmlParserModule;
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new FeedParseError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    processEntities: true,
    htmlEntities: true,
    parseTagValue: false,
    trimValues: true,
  });
  const document: unknown = parser.parse(xml);
  if (!isNode(document)) throw new FeedParseError('empty document');
  let entries: FeedEntry[];
  if (isNode(document.rss)) {
    const channel = document.rss.channel;
    if (!isNode(channel) && channel !== '') throw new FeedParseError('RSS document without a channel');
    entries = list(isNode(channel) ? channel.item : undefined)
      .filter(isNode)
      .map((item) =>
        toEntry(
          item.title,
          textOf(item.link) || null,
          item.pubDate ?? item.date,
          item.description,
          item.guid,
        ),
      );
  } else if (isNode(document.feed) || document.feed === '') {
    const feed = isNode(document.feed) ? document.feed : {};
    entries = list(feed.entry)
      .filter(isNode)
      .map((entry) =>
        toEntry(
          entry.title,
          atomLink(entry.link),
          entry.published ?? entry.updated,
          entry.summary ?? entry.content,
          entry.id,
        ),
      );
  } else {
    throw new FeedParseError(
      `root element is neither <rss> nor <feed> (${
        Object.keys(document)
          .filter((key) => !key.startsWith('?'))
          .join(', ') || 'none'
      })`,
    );
  }
  return entries.sort((a, b) => (b.published ?? '').localeCompare(a.published ?? ''));
}

/** Fetches and parses a feed: what the status poller uses. Throws ProbeFailure or FeedParseError. */
export async function fetchFeedEntries(
  url: string,
  ctx: ProbeContext,
  options: { ca?: string | undefined } = {},
): Promise<FeedEntry[]> {
  const exchange = await performHttpExchange({ url, maxBodyBytes: MAX_FEED_BYTES, ca: options.ca }, ctx);
  if (exchange.status !== 200) {
    throw new ProbeFailure(`HTTP_${exchange.status}`, `status ${exchange.status}`, exchange.phases, false);
  }
  return parseFeedEntries(exchange.body.toString('utf8'));
}

export async function probeFeed(target: FeedTarget, ctx: ProbeContext): Promise<ProbeReport> {
  try {
    const exchange = await performHttpExchange(
      {
        url: target.url,
        maxBodyBytes: MAX_FEED_BYTES,
        ca: target.ca,
        headers: { accept: 'application/rss+xml, application/atom+xml, application/xml, text/xml' },
      },
      ctx,
    );
    const report = evaluateHttpExchange(exchange, { status: [200], maxLatencyMs: target.maxLatencyMs });
    if (report.outcome === 'down') return report;
    const invalid = (detail: string): ProbeReport => ({
      ...report,
      outcome: 'down',
      latencyMs: null,
      error: 'FEED_INVALID',
      errorDetail: detail,
    });
    if (exchange.bodyTruncated) return invalid(`feed larger than ${MAX_FEED_BYTES} bytes`);
    let entries: FeedEntry[];
    try {
      entries = await parseFeedEntries(exchange.body.toString('utf8'));
    } catch (error) {
      if (error instanceof FeedParseError) return invalid(error.message);
      throw error;
    }
    const latest = entries[0];
    const observations: Record<string, Observation> = {
      ...report.observations,
      entryCount: entries.length,
      latestTitle: latest?.title ?? null,
      latestPublished: latest?.published ?? null,
    };
    return { ...report, observations };
  } catch (error) {
    if (error instanceof ProbeFailure) return reportFailure(error);
    throw error;
  }
}
