/**
 * `crosswatch silence add|list|remove`: silences and maintenance windows in the data directory.
 * A silenced decision is still recorded, as `suppressed` with reason `silence:<id>`.
 */
import {
  createSilence,
  InvalidSilenceError,
  isSilenceActive,
  listSilences,
  removeSilence,
  type Silence,
  type SilenceInput,
  type SilenceMatchers,
} from '../shared/engine/silences.ts';
import { PLANES, PROVIDERS } from '../shared/event/vocabulary.ts';
import { StoreUnavailableError } from '../shared/store/ports.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { formatDuration, parseDuration, parseInstant } from './durations.ts';
import { DataDirectoryError, type DataStore, DEFAULT_DATA_DIR, openDataStore } from './open-data-store.ts';

export const SILENCE_USAGE = `Usage: crosswatch silence add [matchers] [window] [options]
       crosswatch silence list [--json]
       crosswatch silence remove ID

A silence holds back the notifications of matching incidents while it is active: their decisions
are still made and recorded, as suppressed with reason silence:<id>. Every matcher given must match;
a repeated matcher matches any of its values.

Matchers (at least one):
  --provider NAME          ${PROVIDERS.join(', ')}
  --service NAME           a provider service name (Virtual Machines, Exchange Online…)
  --region NAME            a region (East US, westeurope…)
  --target ID              a probe target id
  --plane NAME             ${PLANES.join(', ')}
  --incident KEY           an incidentKey (azure:FNJ8-VQZ), or a prefix ending in * (azure:*)
  --applies-to WHICH       all (default), probe or provider incidents

Window, one-off:
  --start TIME             ISO 8601 with a zone (2026-02-02T20:00:00Z); default now
  --end TIME               ISO 8601 with a zone
  --duration DURATION      instead of --end: 2h, 90m, 1h30m, 1d

Window, recurring:
  --cron "EXPR"            5- or 6-field cron (0 2 * * SUN: Sundays 02:00)
  --duration DURATION      how long each occurrence lasts (required with --cron)
  --tz ZONE                IANA time zone the cron is read in (default UTC)
  --start/--end TIME       optional bounds of the recurring silence

Options:
  --comment TEXT           why
  --created-by NAME        who (default $USER)
  --data DIR               data directory (default ${DEFAULT_DATA_DIR})
  --json                   add: print the silence as JSON; list: one JSON object per silence
  -h, --help               show this help

Exit status: 0 success; 2 for bad usage, an invalid silence or an unknown ID (one line naming the
flag); 1 when the data store fails.
`;

const OPTIONS = {
  provider: { type: 'string', multiple: true },
  service: { type: 'string', multiple: true },
  region: { type: 'string', multiple: true },
  target: { type: 'string', multiple: true },
  plane: { type: 'string', multiple: true },
  incident: { type: 'string', multiple: true },
  'applies-to': { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  duration: { type: 'string' },
  cron: { type: 'string' },
  tz: { type: 'string' },
  comment: { type: 'string' },
  'created-by': { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = NonNullable<ReturnType<typeof parseCommandArgs<typeof OPTIONS>>>['values'];

/** A usage problem: the message names the flag. */
class SilenceUsageError extends Error {
  override name = 'SilenceUsageError';
}

const ACTION_FLAGS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  add: Object.keys(OPTIONS) as (keyof typeof OPTIONS)[],
  list: ['data', 'json', 'help'],
  remove: ['data', 'help'],
};

function readMatchers(values: Values): SilenceMatchers {
  const matchers: Record<string, string[]> = {};
  const add = (key: keyof SilenceMatchers, flag: string, list: readonly string[] | undefined) => {
    if (list === undefined) return;
    if (list.some((value) => value.trim() === '')) throw new SilenceUsageError(`--${flag} must not be empty`);
    matchers[key] = list.map((value) => value.trim());
  };
  if (values.provider?.some((p) => !(PROVIDERS as readonly string[]).includes(p.toLowerCase()))) {
    throw new SilenceUsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (values.plane?.some((p) => !(PLANES as readonly string[]).includes(p.toLowerCase()))) {
    throw new SilenceUsageError(`--plane must be one of ${PLANES.join(', ')}`);
  }
  add(
    'provider',
    'provider',
    values.provider?.map((p) => p.toLowerCase()),
  );
  add('service', 'service', values.service);
  add('region', 'region', values.region);
  add('target', 'target', values.target);
  add(
    'plane',
    'plane',
    values.plane?.map((p) => p.toLowerCase()),
  );
  add('incidentKey', 'incident', values.incident);
  if (Object.keys(matchers).length === 0) {
    throw new SilenceUsageError(
      'give at least one matcher (--provider, --service, --region, --target, --plane or --incident)',
    );
  }
  return matchers;
}

function readInstant(values: Values, flag: 'start' | 'end'): string | null {
  const raw = values[flag];
  if (raw === undefined) return null;
  const instant = parseInstant(raw);
  if (instant === undefined) {
    throw new SilenceUsageError(
      `--${flag} must be an ISO 8601 time with a zone, like 2026-02-02T20:00:00Z (got "${raw}")`,
    );
  }
  return instant;
}

function readDuration(values: Values): number | undefined {
  if (values.duration === undefined) return undefined;
  const ms = parseDuration(values.duration);
  if (ms === undefined) {
    throw new SilenceUsageError(`--duration must be like 2h, 90m, 1h30m or 1d (got "${values.duration}")`);
  }
  return ms;
}

/** The silence described by `add`'s flags (validated by createSilence afterwards). */
export function readSilenceInput(values: Values, now: Date, env: CliIo['env']): SilenceInput {
  const matchers = readMatchers(values);
  const appliesTo = values['applies-to'] ?? 'all';
  if (appliesTo !== 'all' && appliesTo !== 'probe' && appliesTo !== 'provider') {
    throw new SilenceUsageError('--applies-to must be all, probe or provider');
  }
  let startsAt = readInstant(values, 'start');
  let endsAt = readInstant(values, 'end');
  const durationMs = readDuration(values);
  let schedule: SilenceInput['schedule'] = null;
  if (values.cron !== undefined) {
    if (durationMs === undefined)
      throw new SilenceUsageError('--cron needs --duration (how long each window lasts)');
    schedule = { cron: values.cron, timeZone: values.tz ?? 'UTC', durationMs };
  } else {
    if (values.tz !== undefined)
      throw new SilenceUsageError('--tz applies only to a recurring silence (--cron)');
    if (endsAt !== null && durationMs !== undefined) {
      throw new SilenceUsageError('give --end or --duration, not both');
    }
    if (endsAt === null && durationMs === undefined) {
      throw new SilenceUsageError(
        'a one-off silence needs --end or --duration (or --cron for a recurring one)',
      );
    }
    startsAt ??= now.toISOString();
    if (durationMs !== undefined) endsAt = new Date(Date.parse(startsAt) + durationMs).toISOString();
  }
  if (startsAt !== null && endsAt !== null && Date.parse(endsAt) <= Date.parse(startsAt)) {
    throw new SilenceUsageError('--end must be after --start');
  }
  return {
    matchers,
    appliesTo,
    startsAt,
    endsAt,
    schedule,
    comment: values.comment ?? '',
    createdBy: values['created-by'] ?? env.USER ?? env.USERNAME ?? '',
  };
}

/** Names the flag behind an invalid silence the engine rejected. */
function describeInvalidSilence(error: InvalidSilenceError): string {
  if (/time zone/.test(error.message)) return `--tz: ${error.message}`;
  if (/schedule/.test(error.message)) return `--cron: ${error.message}`;
  return error.message;
}

function describeMatchers(matchers: SilenceMatchers): string {
  const flags: [keyof SilenceMatchers, string][] = [
    ['provider', 'provider'],
    ['service', 'service'],
    ['region', 'region'],
    ['target', 'target'],
    ['plane', 'plane'],
    ['incidentKey', 'incident'],
  ];
  return flags
    .filter(([key]) => (matchers[key]?.length ?? 0) > 0)
    .map(([key, name]) => `${name}=${(matchers[key] ?? []).join('|')}`)
    .join(' ');
}

function describeWindow(silence: Silence): string {
  const bounds = [
    silence.startsAt ? `from ${silence.startsAt}` : null,
    silence.endsAt ? `until ${silence.endsAt}` : null,
  ].filter((part) => part !== null);
  if (silence.schedule === null) return bounds.join(' ');
  const recurring = `cron "${silence.schedule.cron}" ${silence.schedule.timeZone} for ${formatDuration(silence.schedule.durationMs)}`;
  return [recurring, ...bounds].join(' ');
}

function describeState(silence: Silence, now: Date): 'active' | 'expired' | 'pending' | 'inactive' {
  const at = now.getTime();
  if (isSilenceActive(silence, at)) return 'active';
  if (silence.endsAt !== null && Date.parse(silence.endsAt) <= at) return 'expired';
  if (silence.startsAt !== null && Date.parse(silence.startsAt) > at) return 'pending';
  return 'inactive';
}

export function formatSilence(silence: Silence, now: Date): string {
  const who = silence.createdBy ? ` by ${silence.createdBy}` : '';
  const comment = silence.comment ? ` — ${silence.comment}` : '';
  const applies = silence.appliesTo === 'all' ? '' : ` (${silence.appliesTo} incidents)`;
  const source = silence.source === 'maintenance' ? ' [maintenance]' : '';
  return `${silence.id}  ${describeState(silence, now).padEnd(8)} ${describeMatchers(silence.matchers)}${applies}  ${describeWindow(silence)}${source}${comment}${who}`;
}

async function runAction(
  action: string,
  values: Values,
  positionals: string[],
  io: CliIo,
  data: DataStore,
  input: SilenceInput | undefined,
): Promise<number> {
  const now = io.now();
  if (input !== undefined) {
    const silence = await createSilence(data.store, input, now);
    await writeText(
      io.stdout,
      values.json ? `${JSON.stringify(silence)}\n` : `added silence ${formatSilence(silence, now)}\n`,
    );
    return EXIT.ok;
  }
  if (action === 'list') {
    const silences = await listSilences(data.store);
    for (const silence of silences) {
      await writeText(
        io.stdout,
        values.json
          ? `${JSON.stringify({ ...silence, active: isSilenceActive(silence, now.getTime()) })}\n`
          : `${formatSilence(silence, now)}\n`,
      );
    }
    if (!values.json) {
      await writeText(io.stdout, `${silences.length} ${silences.length === 1 ? 'silence' : 'silences'}\n`);
    }
    return EXIT.ok;
  }
  const id = positionals[0] as string;
  if (!(await removeSilence(data.store, id))) {
    writeError(io, `silence remove: no silence with id "${id}" (see crosswatch silence list)`);
    return EXIT.usage;
  }
  await writeText(io.stdout, `removed silence ${id}\n`);
  return EXIT.ok;
}

export async function runSilenceCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'silence', args, OPTIONS);
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, SILENCE_USAGE);
    return EXIT.ok;
  }
  const [action, ...rest] = positionals;
  const usage = (message: string) => {
    writeError(
      io,
      `silence${action && Object.hasOwn(ACTION_FLAGS, action) ? ` ${action}` : ''}: ${message} (see crosswatch silence --help)`,
    );
    return EXIT.usage;
  };
  if (action === undefined) return usage('give an action: add, list or remove');
  const allowed = Object.hasOwn(ACTION_FLAGS, action) ? ACTION_FLAGS[action] : undefined;
  if (allowed === undefined) return usage(`unknown action "${action}" (add, list or remove)`);
  const misplaced = (Object.keys(values) as (keyof typeof OPTIONS)[]).find((flag) => !allowed.includes(flag));
  if (misplaced !== undefined) return usage(`--${misplaced} does not apply to silence ${action}`);
  if (action === 'remove' && rest.length !== 1) return usage('give exactly one silence ID');
  if (action !== 'remove' && rest.length > 0) return usage(`unexpected argument "${rest[0]}"`);
  if (values.data === '') return usage('--data must name a directory');

  let input: SilenceInput | undefined;
  if (action === 'add') {
    // Flags are checked before the data directory is touched.
    try {
      input = readSilenceInput(values, io.now(), io.env);
    } catch (error) {
      if (!(error instanceof SilenceUsageError)) throw error;
      return usage(error.message);
    }
  }
  let data: DataStore;
  try {
    data = await openDataStore(values.data ?? DEFAULT_DATA_DIR, { now: io.now });
  } catch (error) {
    if (!(error instanceof DataDirectoryError)) throw error;
    writeError(io, `silence ${action}: --data ${error.dir}: ${error.problem}`);
    return EXIT.usage;
  }
  try {
    return await runAction(action, values, rest, io, data, input);
  } catch (error) {
    if (error instanceof InvalidSilenceError) return usage(describeInvalidSilence(error));
    if (!(error instanceof StoreUnavailableError)) throw error;
    writeError(io, `silence ${action}: the data store failed (${error.message})`);
    return EXIT.failure;
  } finally {
    await data.close();
  }
}
