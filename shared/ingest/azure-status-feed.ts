/**
 * Entries of the public Azure status feed (RSS, parsed by shared/probe/feed.ts) as provider incident
 * events, origin `azure-status-feed`: a public status change is an input too, and the one that still
 * arrives when Service Health is unreachable.
 *
 * Rules:
 * - only entries published within `maxAgeMs` (default 24 h) before now become events, so the first
 *   poll of a feed full of history opens nothing old; an undated entry (RSS without pubDate) is
 *   skipped, because nothing tells news from history there;
 * - a Tracking ID in the title or summary ("Tracking ID: VLX8-3Z8", "(Tracking ID FNJ8-VQZ)") keys the
 *   incident `azure:<trackingId>`, the key Service Health uses, so both merge into one incident;
 *   otherwise `azure-status:<16 hex of sha256>` of the entry's guid, else its link when the link names
 *   the entry (a query or fragment; a bare status-page link is shared by every entry), else its title
 *   without the status word (so "Mitigated - X" continues "X");
 * - resolved when the title names a closing status (Mitigated, Resolved, RCA, Post Incident Review /
 *   PIR) or the summary states one ("This issue is now mitigated"); RCA and PIR use stage `RCA`, the
 *   engine's post-resolution stage;
 * - services and regions only from titles shaped "<Status> - <Service> - <Region(s)>",
 *   "<Service> - <Region(s)>" or "<Service> - <what> - <Region(s)>", where the region part must read
 *   as Azure region names ("Multiple regions" names none), or "<Status> - <Service>[ - <what>]";
 *   nothing is guessed otherwise (empty lists);
 * - updateKey = incidentKey + published + a hash of title and summary: the same entry polled again
 *   yields the identical event, an edited entry a new update.
 */
import { createHash } from 'node:crypto';
import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { Link, ProviderCloudEvent } from '../event/schema.ts';
import { EVENT_TYPES, type Status } from '../event/vocabulary.ts';
import type { FeedEntry } from '../util/parse-feed.ts';
import { createLookup, toToken, uniqueStrings } from '../util/read.ts';
import { toPlainText, toPlainTitle } from '../util/text.ts';
import { computeEvidence } from './normalize.ts';

const ORIGIN = 'azure-status-feed';
export const DEFAULT_STATUS_FEED_MAX_AGE_MS = 24 * 60 * 60_000;
const MAX_SUMMARY = 4000;
const MAX_NAME = 100;

export interface StatusFeedEventOptions {
  /** When the feed was fetched (ISO UTC): the time of an undated entry. */
  readonly receivedAt: string;
  /** The feed's URL: recorded in attributes, and the link of an entry without a usable one. */
  readonly feedUrl: string;
  /** Entries published longer ago than this are history, not news (default 24 h). */
  readonly maxAgeMs?: number;
  readonly now: () => Date;
}

type Phase = 'active' | 'resolved' | 'post';

/** Status words Azure puts before or after the title's parts, by token. */
const STATUS_WORDS: ReadonlyMap<string, Phase> = createLookup({
  active: 'active',
  investigating: 'active',
  monitoring: 'active',
  update: 'active',
  updated: 'active',
  mitigated: 'resolved',
  resolved: 'resolved',
  rca: 'post',
  rootcauseanalysis: 'post',
  pir: 'post',
  postincidentreview: 'post',
  postincidentreviewpir: 'post',
  preliminarypir: 'post',
  preliminarypostincidentreview: 'post',
  preliminarypostincidentreviewpir: 'post',
  finalpir: 'post',
  finalpostincidentreview: 'post',
  finalpostincidentreviewpir: 'post',
});

const TRACKING_ID = /\btracking\s*id\b\s*[:#-]?\s*([A-Z0-9_]{2,8}-[A-Z0-9_]{2,8})\b/i;
const TRACKING_SUFFIX = /\s*[([]?\s*tracking\s*id\b[^)\]]*[)\]]?\s*$/i;
const TITLE_SEPARATOR = /\s+[-–—]\s+/;
/** A closing status named in a title. */
const TITLE_POST = /\b(?:rca|pir|root cause analysis|post[- ]incident review)\b/i;
const TITLE_RESOLVED = /\b(?:mitigated|resolved)\b/i;
/** A summary that opens with a review heading. */
const SUMMARY_POST_HEADING =
  /^(?:(?:preliminary|final)\s+)?(?:rca|pir|root cause analysis|post[- ]incident review)\b/i;
const SUMMARY_CLOSING_WORD = /\b(mitigated|resolved)\b/gi;
/** Words that make "mitigated"/"resolved" in the same clause a plan, a condition or a denial. */
const NOT_YET =
  /\b(?:not|never|no|until|unless|once|if|when|will|would|expect\w*|yet|before|partially|being|previously|may|might)\b|n't\b/i;

/** Words an Azure region (or geography) name is made of. */
const REGION_WORDS = new Set(
  'us usa gov dod europe asia pacific japan australia brazil canada india jio korea uk france germany switzerland norway sweden poland italy spain austria belgium denmark finland greece uae qatar israel africa new zealand indonesia malaysia taiwan mexico chile china virginia arizona texas iowa americas united states kingdom emea apac euap'.split(
    ' ',
  ),
);
const DIRECTION_WORDS = new Set(
  'north south east west central northeast northwest southeast southwest northcentral southcentral westcentral'.split(
    ' ',
  ),
);
/** Region parts that mean "many places": recognized as a region part, naming no region. */
const UNSPECIFIC_REGIONS = new Set([
  'multipleregions',
  'multiregion',
  'multiregions',
  'severalregions',
  'allregions',
  'variousregions',
]);
const UNSPECIFIC_SERVICE = /^(?:multiple|several|various|some|all|many)\b/i;

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function findTrackingId(entry: FeedEntry): string | undefined {
  return (TRACKING_ID.exec(entry.title) ?? TRACKING_ID.exec(entry.summary))?.[1]?.toUpperCase();
}

/** The title's parts, without a trailing "(Tracking ID …)". */
function splitTitle(title: string): string[] {
  return title
    .replace(TRACKING_SUFFIX, '')
    .split(TITLE_SEPARATOR)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

interface TitleParts {
  /** The status word in front or at the end, if any. */
  readonly status: Phase | undefined;
  /** The other parts, in order. */
  readonly rest: string[];
}

function readTitleParts(title: string): TitleParts {
  const parts = splitTitle(title);
  const first = parts[0];
  const firstPhase = parts.length > 1 && first !== undefined ? STATUS_WORDS.get(toToken(first)) : undefined;
  if (firstPhase !== undefined) return { status: firstPhase, rest: parts.slice(1) };
  const last = parts.at(-1);
  const lastPhase = parts.length > 1 && last !== undefined ? STATUS_WORDS.get(toToken(last)) : undefined;
  if (lastPhase !== undefined) return { status: lastPhase, rest: parts.slice(0, -1) };
  return { status: undefined, rest: parts };
}

function splitList(text: string): string[] {
  return text
    .split(/\s*,\s*|\s+(?:and|&)\s+/i)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function isRegionName(name: string): boolean {
  const words = name.toLowerCase().split(/\s+/);
  let named = false;
  for (const word of words) {
    if (REGION_WORDS.has(word)) named = true;
    else if (!DIRECTION_WORDS.has(word) && !/^\d$/.test(word)) return false;
  }
  return named;
}

/** The regions a title part names, or undefined when the part does not read as regions. */
function readRegions(part: string): string[] | undefined {
  if (part.length > 300) return undefined;
  const names = splitList(part);
  if (names.length === 0) return undefined;
  const regions: string[] = [];
  for (const name of names) {
    const token = toToken(name);
    if (token === 'global') regions.push('Global');
    else if (UNSPECIFIC_REGIONS.has(token)) continue;
    else if (isRegionName(name)) regions.push(name);
    else return undefined;
  }
  return regions;
}

function readServices(part: string): string[] {
  if (part.length > 300 || UNSPECIFIC_SERVICE.test(part) || readRegions(part) !== undefined) return [];
  const names = splitList(part);
  if (names.some((name) => name.length > MAX_NAME || /[.:;!?]/.test(name))) return [];
  return names;
}

/** Services and regions from the common title shapes; empty when the title has none of them. */
function readServicesAndRegions(parts: TitleParts): { services: string[]; regions: string[] } {
  const none = { services: [], regions: [] };
  const [service, second, third] = parts.rest;
  if (service === undefined) return none;
  // "<Status> - <Service>": the part after the status word is the service.
  if (parts.rest.length === 1)
    return parts.status !== undefined ? { services: readServices(service), regions: [] } : none;
  if (parts.rest.length === 2 && second !== undefined) {
    const regions = readRegions(second);
    if (regions !== undefined) return { services: readServices(service), regions };
    // "<Status> - <Service> - <what happened>": the service part is known by its position.
    return parts.status !== undefined ? { services: readServices(service), regions: [] } : none;
  }
  if (parts.rest.length === 3 && third !== undefined) {
    const regions = readRegions(third);
    return regions !== undefined ? { services: readServices(service), regions } : none;
  }
  return none;
}

/** The word of a clause saying the issue is mitigated or resolved (not that it will or may be). */
function findClosingStatement(summary: string): string | undefined {
  for (const match of summary.matchAll(SUMMARY_CLOSING_WORD)) {
    const before = summary.slice(0, match.index);
    const clauseStart = Math.max(...['.', '!', '?', ';', '\n'].map((mark) => before.lastIndexOf(mark)));
    if (!NOT_YET.test(before.slice(clauseStart + 1))) return match[0];
  }
  return undefined;
}

interface EntryState {
  readonly status: Status;
  readonly stage: string;
}

const ACTIVE: EntryState = { status: 'active', stage: 'Active' };
const REVIEWED: EntryState = { status: 'resolved', stage: 'RCA' };

function closedBy(text: string): EntryState {
  return { status: 'resolved', stage: /mitigated/i.test(text) ? 'Mitigated' : 'Resolved' };
}

/** A status word in the title decides; else a closing status named in the title, else in the summary. */
function readEntryState(title: string, parts: TitleParts, summary: string): EntryState {
  if (parts.status === 'active') return ACTIVE;
  if (parts.status === 'post' || TITLE_POST.test(title)) return REVIEWED;
  if (parts.status === 'resolved' || TITLE_RESOLVED.test(title)) return closedBy(title);
  if (SUMMARY_POST_HEADING.test(summary)) return REVIEWED;
  const closing = findClosingStatement(summary);
  return closing === undefined ? ACTIVE : closedBy(closing);
}

/** An absolute http(s) URL, or undefined. */
function readUrl(value: string | null): string | undefined {
  if (value === null) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** What identifies an entry without a tracking id: its guid, an entry-specific link, its core title. */
function readEntryIdentity(entry: FeedEntry, parts: TitleParts): string {
  if (entry.id !== null) return `guid:${entry.id}`;
  const link = readUrl(entry.link);
  if (link !== undefined) {
    const url = new URL(link);
    if (url.search !== '' || url.hash !== '') return `link:${link}`;
  }
  return `title:${parts.rest.join(' - ').toLowerCase()}`;
}

function toEvent(entry: FeedEntry, options: StatusFeedEventOptions): ProviderCloudEvent {
  const published = entry.published;
  const at = published ?? options.receivedAt;
  const summaryText = toPlainText(entry.summary, MAX_SUMMARY);
  const title =
    toPlainTitle(entry.title) || toPlainTitle(summaryText.split('\n')[0]) || 'Azure status update';
  const summary = summaryText || title;
  const parts = readTitleParts(title);
  const trackingId = findTrackingId({ ...entry, title, summary });
  const incidentKey =
    trackingId !== undefined
      ? `azure:${trackingId}`
      : `azure-status:${hash(readEntryIdentity(entry, parts), 16)}`;
  const { status, stage } = readEntryState(title, parts, summary);
  const { services, regions } = readServicesAndRegions(parts);
  const url = readUrl(entry.link) ?? readUrl(options.feedUrl);
  const links: Link[] = url === undefined ? [] : [{ label: 'Azure status', url }];
  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'azure',
    origin: ORIGIN,
    incidentKey,
    updateKey: `${incidentKey}:${published ?? 'undated'}:${hash(`${title}\n${summary}`, 12)}`,
    category: 'incident',
    status,
    severity: status === 'active' ? 'warning' : 'info',
    title,
    summary,
    services: uniqueStrings(services),
    regions: uniqueStrings(regions),
    scope: createEmptyScope(),
    startedAt: published,
    updatedAt: at,
    resolvedAt: status === 'resolved' ? at : null,
    links,
    evidence: computeEvidence(Buffer.from(JSON.stringify(entry), 'utf8')),
    stage,
    attributes: {
      trackingId: trackingId ?? null,
      guid: entry.id,
      link: entry.link,
      published,
      feedUrl: options.feedUrl,
    },
  });
}

/**
 * The feed entries published within `maxAgeMs` before now, as provider incident events, oldest first
 * (the order Azure published them). Undated entries are skipped: without a date an old entry would
 * look new on every first poll.
 */
export function createStatusFeedEvents(
  entries: readonly FeedEntry[],
  options: StatusFeedEventOptions,
): ProviderCloudEvent[] {
  const horizon = options.now().getTime() - (options.maxAgeMs ?? DEFAULT_STATUS_FEED_MAX_AGE_MS);
  const recent = entries
    .filter((entry) => entry.published !== null && Date.parse(entry.published) >= horizon)
    .map((entry, index) => ({ entry, index, at: entry.published ?? options.receivedAt }));
  recent.sort((a, b) => a.at.localeCompare(b.at) || a.index - b.index);
  return recent.map(({ entry }) => toEvent(entry, options));
}
