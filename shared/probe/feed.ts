/**
 * Public status feed probe (status plane): an RSS 2.0 or Atom feed such as the Azure status feed,
 * fetched and parsed into entries, so a public status change is an input too. An empty channel means
 * "no active incidents" and is healthy; a feed that does not parse is FEED_INVALID. The XML parser is
 * imported lazily, only on this path (util/parse-feed.ts).
 */
import { type FeedEntry, FeedParseError, parseFeedEntries } from '../util/parse-feed.ts';
import { evaluateHttpExchange, performHttpExchange } from './http.ts';
import {
  type Observation,
  type ProbeContext,
  ProbeFailure,
  type ProbeReport,
  reportFailure,
} from './probe-types.ts';
import type { FeedTarget } from './target-types.ts';

const MAX_FEED_BYTES = 2 * 1024 * 1024;

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
