/**
 * `crosswatch incidents`: the incidents in the data directory — status, verdict, acknowledgement,
 * lead time, services, regions and scope — open ones by default.
 */
import type { IncidentRecord } from '../shared/engine/incident-record.ts';
import { listIncidents } from '../shared/engine/process-event.ts';
import { StoreUnavailableError } from '../shared/store/ports.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { formatLeadTime } from './durations.ts';
import { DataDirectoryError, type DataStore, DEFAULT_DATA_DIR, openDataStore } from './open-data-store.ts';

export const INCIDENTS_USAGE = `Usage: crosswatch incidents [options]

Lists the incidents in the data directory (open ones unless --all): status, severity, verdict,
acknowledgement (which provider incident acknowledged a probe incident, and when), lead time
(how long crosswatch knew before the provider said so), services, regions and scope counts.

Options:
  --data DIR               data directory (default ${DEFAULT_DATA_DIR})
  --all                    include resolved incidents
  --kind provider|probe    only provider incidents or only probe incidents
  --json                   one JSON object per incident (incidentKey, status, scope, verdict, …)
  -h, --help               show this help

Exit status: 0 (also when there is nothing to list), 2 for bad usage, 1 when the data store fails.
`;

interface AcknowledgementView {
  readonly acknowledged: boolean | null;
  readonly acknowledgedBy: { incidentKey: string; provider: string; title: string; publishedAt: string }[];
  readonly acknowledgedAt: string | null;
  readonly detectedAt: string | null;
  readonly leadTimeMs: number | null;
}

function describeAcknowledgement(record: IncidentRecord): AcknowledgementView {
  const state = record.probeState;
  if (!state) {
    return {
      acknowledged: null,
      acknowledgedBy: [],
      acknowledgedAt: null,
      detectedAt: null,
      leadTimeMs: null,
    };
  }
  return {
    acknowledged: state.acknowledgedBy.length > 0,
    acknowledgedBy: state.acknowledgedBy.map((ack) => ({ ...ack })),
    acknowledgedAt: state.acknowledgedAt,
    detectedAt: state.detectedAt,
    leadTimeMs: state.leadTimeMs,
  };
}

function countScope(record: IncidentRecord) {
  return {
    tenants: record.scope.tenantIds.length,
    subscriptions: record.scope.subscriptionIds.length,
    accounts: record.scope.accountIds.length,
    resources: record.scope.resourceIds.length,
  };
}

/** The probe incidents each provider incident acknowledged (for the provider side of the link). */
function indexAcknowledgedProbes(incidents: readonly IncidentRecord[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const record of incidents) {
    for (const ack of record.probeState?.acknowledgedBy ?? []) {
      index.set(ack.incidentKey, [...(index.get(ack.incidentKey) ?? []), record.incidentKey]);
    }
  }
  return index;
}

export function toIncidentJson(record: IncidentRecord, acknowledges: readonly string[]) {
  return {
    incidentKey: record.incidentKey,
    kind: record.kind,
    status: record.status,
    provider: record.provider,
    category: record.category,
    title: record.title,
    severity: record.severity,
    stage: record.stage,
    verdict: record.probeState?.verdict ?? null,
    ...describeAcknowledgement(record),
    acknowledges: [...acknowledges],
    services: record.services,
    regions: record.regions,
    scope: record.scope,
    scopeCounts: countScope(record),
    scopeOverflow: record.scopeOverflow,
    startedAt: record.startedAt,
    openedAt: record.openedAt,
    resolvedAt: record.resolvedAt,
    lastChangedAt: record.lastChangedAt,
    episode: record.episode,
    openSuppressedBy: record.openSuppressedBy,
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function listNames(names: readonly string[]): string {
  if (names.length === 0) return '-';
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} (+${names.length - 4})`;
}

export function formatIncident(record: IncidentRecord, acknowledges: readonly string[]): string {
  const state = record.probeState;
  const head = `${record.status.toUpperCase().padEnd(9)}${record.incidentKey}  ${record.title}  [${record.severity}${record.stage ? `, ${record.stage}` : ''}]`;
  const times = [
    record.openedAt ? `opened ${record.openedAt}` : null,
    record.resolvedAt && record.status === 'resolved' ? `resolved ${record.resolvedAt}` : null,
    `last change ${record.lastChangedAt}`,
    record.openSuppressedBy ? `open suppressed by ${record.openSuppressedBy}` : null,
  ].filter((part) => part !== null);
  const lines = [head, `         ${times.join(' · ')}`];
  if (state) {
    const ack =
      state.acknowledgedBy.length === 0
        ? 'not acknowledged by the provider yet'
        : `acknowledged by ${state.acknowledgedBy.map((a) => a.incidentKey).join(', ')} at ${state.acknowledgedAt ?? '?'}`;
    const lead = state.leadTimeMs === null ? '' : ` · lead time ${formatLeadTime(state.leadTimeMs)}`;
    const vantages = Object.values(state.vantages);
    const failing = vantages.filter((v) => v.failing).map((v) => v.id);
    lines.push(
      `         verdict ${state.verdict ?? '-'} · detected ${state.detectedAt ?? '-'} · ${ack}${lead}`,
      `         ${state.plane} plane · ${state.address} · failing from ${failing.length}/${vantages.length} vantages${failing.length > 0 ? ` (${failing.join(', ')})` : ''}`,
    );
  } else {
    lines.push(
      `         provider incident${acknowledges.length > 0 ? ` · acknowledges ${acknowledges.join(', ')}` : ''}`,
    );
  }
  const counts = countScope(record);
  const scope = [
    plural(counts.subscriptions, 'subscription'),
    plural(counts.accounts, 'account'),
    plural(counts.tenants, 'tenant'),
    plural(counts.resources, 'resource'),
  ].join(', ');
  const overflow = record.scopeOverflow > 0 ? ` (+${record.scopeOverflow} not kept)` : '';
  lines.push(
    `         services: ${listNames(record.services)} · regions: ${listNames(record.regions)} · scope: ${scope}${overflow}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Open first, then by when they opened (or were first seen), then by key. */
function compareIncidents(a: IncidentRecord, b: IncidentRecord): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  const at = (record: IncidentRecord) => record.openedAt ?? record.firstSeenAt;
  return at(a).localeCompare(at(b)) || a.incidentKey.localeCompare(b.incidentKey);
}

export async function runIncidentsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'incidents', args, {
    data: { type: 'string' },
    all: { type: 'boolean' },
    kind: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, INCIDENTS_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `incidents: ${message} (see crosswatch incidents --help)`);
    return EXIT.usage;
  };
  if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
  if (values.kind !== undefined && values.kind !== 'provider' && values.kind !== 'probe') {
    return usage('--kind must be provider or probe');
  }
  if (values.data === '') return usage('--data must name a directory');
  let data: DataStore;
  try {
    data = await openDataStore(values.data ?? DEFAULT_DATA_DIR, { now: io.now });
  } catch (error) {
    if (!(error instanceof DataDirectoryError)) throw error;
    writeError(io, `incidents: --data ${error.dir}: ${error.problem}`);
    return EXIT.usage;
  }
  let all: IncidentRecord[];
  try {
    all = await listIncidents(data.store);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    writeError(io, `incidents: the data store failed (${error.message})`);
    return EXIT.failure;
  } finally {
    await data.close();
  }
  // A probe target that has never failed has state but was never an incident.
  all = all.filter((record) => record.kind !== 'probe' || record.episode > 0);
  const acknowledged = indexAcknowledgedProbes(all);
  const shown = all
    .filter((record) => values.all || record.status === 'open')
    .filter((record) => values.kind === undefined || record.kind === values.kind)
    .sort(compareIncidents);
  for (const record of shown) {
    const acknowledges = acknowledged.get(record.incidentKey) ?? [];
    await writeText(
      io.stdout,
      values.json
        ? `${JSON.stringify(toIncidentJson(record, acknowledges))}\n`
        : formatIncident(record, acknowledges),
    );
  }
  if (!values.json) {
    const hidden = all.length - shown.length;
    const note =
      hidden > 0 ? ` (${hidden} more not shown${values.all ? '' : '; --all includes resolved'})` : '';
    await writeText(io.stdout, `${plural(shown.length, 'incident')}${note}\n`);
  }
  return EXIT.ok;
}
