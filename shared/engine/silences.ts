/**
 * Silences and maintenance windows. A silence matches decisions by provider, service, region,
 * target, plane or incidentKey (every given matcher must match; within one matcher any value may);
 * it is active in a one-off window (`startsAt`..`endsAt`) or, with a `schedule`, for `durationMs`
 * after each occurrence of a cron expression evaluated in an IANA time zone (croner), optionally
 * bounded by `startsAt`/`endsAt`. Silenced decisions are recorded as `suppressed`, never dropped.
 *
 * Silences live in the `silences` collection of the state store.
 */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { StateStore } from '../store/ports.ts';
import { COLLECTIONS } from './engine-collections.ts';
import { normalizeName } from './service-map.ts';

export interface SilenceMatchers {
  readonly provider?: readonly string[];
  readonly service?: readonly string[];
  readonly region?: readonly string[];
  readonly target?: readonly string[];
  readonly plane?: readonly string[];
  /** Exact keys, or a prefix ending in `*` (`azure:FNJ8-*`). */
  readonly incidentKey?: readonly string[];
}

export interface SilenceSchedule {
  /** 5- or 6-field cron (`0 2 * * SUN`: every Sunday 02:00). */
  readonly cron: string;
  /** IANA time zone the cron is read in (`Europe/Berlin`). */
  readonly timeZone: string;
  readonly durationMs: number;
}

export interface Silence {
  readonly id: string;
  readonly matchers: SilenceMatchers;
  /** Which incidents it applies to: all, probe incidents only, or provider incidents only. */
  readonly appliesTo: 'all' | 'probe' | 'provider';
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly schedule: SilenceSchedule | null;
  readonly comment: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** `manual`, or `maintenance` when created from a provider maintenance event. */
  readonly source: 'manual' | 'maintenance';
}

export type SilenceInput = Omit<
  Silence,
  'id' | 'createdAt' | 'appliesTo' | 'source' | 'comment' | 'createdBy'
> &
  Partial<Pick<Silence, 'id' | 'appliesTo' | 'source' | 'comment' | 'createdBy'>>;

/** What a silence is matched against. */
export interface SilenceSubject {
  readonly kind: 'provider' | 'probe' | 'signal';
  readonly incidentKey: string;
  readonly provider: string | null;
  readonly services: readonly string[];
  readonly regions: readonly string[];
  readonly targetId: string | null;
  readonly plane: string | null;
}

export class InvalidSilenceError extends Error {
  override name = 'InvalidSilenceError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`invalid silence: ${message}`, options);
  }
}

const MATCHER_KEYS = ['provider', 'service', 'region', 'target', 'plane', 'incidentKey'] as const;

function parseTime(value: string | null, name: string): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidSilenceError(`${name} is not an ISO time`);
  return ms;
}

function createCron(schedule: SilenceSchedule): Cron {
  try {
    return new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true });
  } catch (error) {
    throw new InvalidSilenceError(`schedule ${JSON.stringify(schedule.cron)} in ${schedule.timeZone}`, {
      cause: error,
    });
  }
}

export function validateSilence(silence: Silence): Silence {
  if (!silence.id || silence.id.length > 200) throw new InvalidSilenceError('id must be 1..200 characters');
  const matcherCount = MATCHER_KEYS.filter((key) => (silence.matchers[key]?.length ?? 0) > 0).length;
  if (matcherCount === 0) throw new InvalidSilenceError('needs at least one matcher');
  for (const key of MATCHER_KEYS) {
    const values = silence.matchers[key];
    if (
      values !== undefined &&
      (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v))
    ) {
      throw new InvalidSilenceError(`matcher ${key} must be a list of non-empty strings`);
    }
  }
  const starts = parseTime(silence.startsAt, 'startsAt');
  const ends = parseTime(silence.endsAt, 'endsAt');
  if (starts !== null && ends !== null && ends <= starts)
    throw new InvalidSilenceError('endsAt must be after startsAt');
  if (silence.schedule === null) {
    if (starts === null || ends === null)
      throw new InvalidSilenceError('a one-off silence needs startsAt and endsAt');
  } else {
    if (!(silence.schedule.durationMs > 0)) throw new InvalidSilenceError('schedule.durationMs must be > 0');
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: silence.schedule.timeZone });
    } catch (error) {
      throw new InvalidSilenceError(`unknown time zone ${silence.schedule.timeZone}`, { cause: error });
    }
    createCron(silence.schedule);
  }
  return silence;
}

/** The start of the window containing `at`, or null when the silence is not active then. */
export function findSilenceWindowStart(silence: Silence, at: number): number | null {
  const starts = silence.startsAt === null ? null : Date.parse(silence.startsAt);
  const ends = silence.endsAt === null ? null : Date.parse(silence.endsAt);
  if (starts !== null && at < starts) return null;
  if (ends !== null && at >= ends) return null;
  if (silence.schedule === null) return starts;
  // The latest occurrence at or before `at` (cron has second precision: +1 s makes it inclusive).
  const [previous] = createCron(silence.schedule).previousRuns(
    1,
    new Date(Math.floor(at / 1000) * 1000 + 1000),
  );
  if (!previous) return null;
  const occurrence = previous.getTime();
  return at < occurrence + silence.schedule.durationMs ? occurrence : null;
}

export function isSilenceActive(silence: Silence, at: number): boolean {
  return findSilenceWindowStart(silence, at) !== null;
}

function matchesValue(pattern: string, value: string, normalize: (s: string) => string): boolean {
  if (pattern.endsWith('*')) return normalize(value).startsWith(normalize(pattern.slice(0, -1)));
  return normalize(pattern) === normalize(value);
}

function matchesAny(
  patterns: readonly string[] | undefined,
  values: readonly (string | null)[],
  normalize: (s: string) => string,
): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((pattern) =>
    values.some((value) => value !== null && matchesValue(pattern, value, normalize)),
  );
}

const exact = (value: string) => value;
const lower = (value: string) => value.toLowerCase();

export function matchesSilence(silence: Silence, subject: SilenceSubject): boolean {
  if (silence.appliesTo !== 'all' && silence.appliesTo !== subject.kind) return false;
  const m = silence.matchers;
  return (
    matchesAny(m.provider, [subject.provider], lower) &&
    matchesAny(m.service, subject.services, normalizeName) &&
    matchesAny(m.region, subject.regions, normalizeName) &&
    matchesAny(m.target, [subject.targetId], exact) &&
    matchesAny(m.plane, [subject.plane], lower) &&
    matchesAny(m.incidentKey, [subject.incidentKey], exact)
  );
}

/** The first silence (by id) that is active at `at` and matches, if any. */
export function findMatchingSilence(
  silences: readonly Silence[],
  subject: SilenceSubject,
  at: number,
): Silence | undefined {
  return silences.find((silence) => matchesSilence(silence, subject) && isSilenceActive(silence, at));
}

/** The reason recorded on a decision it suppressed. */
export function describeSilenceReason(silence: Silence): string {
  return silence.source === 'maintenance' ? `maintenance:${silence.id}` : `silence:${silence.id}`;
}

// ---- store-backed CRUD ----------------------------------------------------------------------------

export async function createSilence(store: StateStore, input: SilenceInput, now: Date): Promise<Silence> {
  const silence = validateSilence({
    appliesTo: 'all',
    source: 'manual',
    comment: '',
    createdBy: '',
    ...input,
    id: input.id ?? randomUUID(),
    createdAt: now.toISOString(),
  });
  await store.put(COLLECTIONS.silences, silence.id, silence);
  return silence;
}

/** Creates or replaces the silence with this id (used for maintenance windows). */
export async function putSilence(store: StateStore, silence: Silence): Promise<Silence> {
  validateSilence(silence);
  await store.put(COLLECTIONS.silences, silence.id, silence);
  return silence;
}

export async function getSilence(store: StateStore, id: string): Promise<Silence | undefined> {
  return (await store.get<Silence>(COLLECTIONS.silences, id))?.value;
}

export async function listSilences(store: StateStore): Promise<Silence[]> {
  const silences: Silence[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list<Silence>(COLLECTIONS.silences, {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const item of page.items) silences.push(item.value);
    cursor = page.cursor;
  } while (cursor);
  return silences;
}

export async function removeSilence(store: StateStore, id: string): Promise<boolean> {
  return store.delete(COLLECTIONS.silences, id);
}

/** Silences that can still be active at or after `now` (ended one-off silences are left out). */
export async function listCurrentSilences(store: StateStore, now: Date): Promise<Silence[]> {
  const at = now.getTime();
  return (await listSilences(store)).filter(
    (silence) => silence.endsAt === null || Date.parse(silence.endsAt) > at,
  );
}
