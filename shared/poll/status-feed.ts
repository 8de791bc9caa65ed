/**
 * Polls the public Azure status feed (RSS) with the feed probe's fetch and parser
 * (shared/probe/feed.ts). The feed matters most when Service Health itself is unreachable, so its
 * reachability is reported like any other health source. The entries published in the last
 * `maxAgeMs` (24 h) become provider incident events, origin `azure-status-feed`
 * (shared/ingest/azure-status-feed.ts); all entries are returned too (for the status page and logs).
 */
import { createStatusFeedEvents } from '../ingest/azure-status-feed.ts';
import { fetchFeedEntries } from '../probe/feed.ts';
import { ProbeFailure } from '../probe/probe-types.ts';
import { AZURE_STATUS_FEED_URL } from '../probe/well-known-urls.ts';
import type { FeedEntry } from '../util/parse-feed.ts';
import { HEALTH_SOURCES, type PollResult, unreachable } from './poll-result.ts';

export interface StatusFeedPollOptions {
  readonly url?: string;
  readonly timeoutMs?: number;
  /** Extra trust anchors (PEM); production leaves this unset. */
  readonly ca?: string;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** Entries published longer ago than this become no events (default 24 h). */
  readonly maxAgeMs?: number;
}

export interface StatusFeedPollResult extends PollResult {
  readonly entries: FeedEntry[];
}

export async function pollStatusFeed(options: StatusFeedPollOptions = {}): Promise<StatusFeedPollResult> {
  const source = HEALTH_SOURCES.azureStatusFeed;
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutMs ?? 15_000),
    ...(options.signal ? [options.signal] : []),
  ]);
  const now = options.now ?? (() => new Date());
  const url = options.url ?? AZURE_STATUS_FEED_URL;
  try {
    const entries = await fetchFeedEntries(
      url,
      { signal, now: () => performance.now(), wallNow: now },
      { ca: options.ca },
    );
    const events = createStatusFeedEvents(entries, {
      receivedAt: now().toISOString(),
      feedUrl: url,
      now,
      ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
    });
    return { source, status: { reachable: true }, events, notices: [], entries };
  } catch (error) {
    const reason = error instanceof ProbeFailure ? { code: error.code } : error;
    return { ...unreachable(source, reason), entries: [] };
  }
}
