/**
 * Polls the public Azure status feed (RSS) with the feed probe's fetch and parser
 * (shared/probe/feed.ts). The feed matters most when Service Health itself is unreachable, so its
 * reachability is reported like any other health source. Schema v1 has no origin for status-feed
 * entries, so they are returned as entries (for the status page and logs), not as events.
 */
import { AZURE_STATUS_FEED_URL, type FeedEntry, fetchFeedEntries } from '../probe/feed.ts';
import { ProbeFailure } from '../probe/probe-types.ts';
import { HEALTH_SOURCES, type PollResult, unreachable } from './poll-result.ts';

export interface StatusFeedPollOptions {
  readonly url?: string;
  readonly timeoutMs?: number;
  /** Extra trust anchors (PEM); production leaves this unset. */
  readonly ca?: string;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
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
  try {
    const entries = await fetchFeedEntries(
      options.url ?? AZURE_STATUS_FEED_URL,
      { signal, now: () => performance.now(), wallNow: options.now ?? (() => new Date()) },
      { ca: options.ca },
    );
    return { source, status: { reachable: true }, events: [], notices: [], entries };
  } catch (error) {
    const reason = error instanceof ProbeFailure ? { code: error.code } : error;
    return { ...unreachable(source, reason), entries: [] };
  }
}
