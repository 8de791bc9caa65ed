/**
 * RSS 2.0 and Atom parsing into plain entries (title, link, date, summary, id): what the status
 * feed probe checks and the status feed poller turns into provider events. The XML parser is
 * imported lazily, only on this path.
 */
import { toPlainText, toPlainTitle } from './text.ts';
import { toIsoUtc } from './time.ts';

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
