/**
 * Words for one incident: who the provider is, the verdict sentence an operator reads first (the
 * headline), and the communication guidance — what is seen (facts from probes and provider notices)
 * kept apart from what is likely (inferences). Pure: everything comes from the decision, the
 * incident record and the clock.
 */
import type { Decision } from '../engine/decision.ts';
import type { IncidentRecord, ProbeState, VantageState } from '../engine/incident-record.ts';
import { describeLeadTime, formatDuration } from './format-duration.ts';

const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  azure: 'Azure',
  m365: 'Microsoft 365',
  aws: 'AWS',
};
const ACKNOWLEDGERS: Readonly<Record<string, string>> = {
  Azure: 'Microsoft',
  'Microsoft 365': 'Microsoft',
  'Microsoft Entra': 'Microsoft',
  Microsoft: 'Microsoft',
  AWS: 'AWS',
};

/** Host suffixes → the product an operator names; the first matching entry wins. */
const HOST_VENDORS: readonly (readonly [RegExp, string])[] = [
  [/(^|\.)microsoftonline\.com$|(^|\.)login\.microsoft\.com$/, 'Microsoft Entra'],
  [
    /(^|\.)(office365|office|outlook|sharepoint|onmicrosoft)\.com$|(^|\.)protection\.outlook\.com$/,
    'Microsoft 365',
  ],
  [/(^|\.)(azure|azure-api|azurewebsites|azurefd|azureedge|windows)\.net$|(^|\.)azure\.com$/, 'Azure'],
  [/(^|\.)microsoft\.com$/, 'Microsoft'],
];

export interface VantageCounts {
  /** Vantages whose latest result is fresh and whose own network is not impaired. */
  readonly counted: readonly VantageState[];
  readonly failing: readonly VantageState[];
  readonly impaired: readonly VantageState[];
  /** Vantages heard from before, but not within the freshness window: unknown, neither failing nor healthy. */
  readonly silent: readonly VantageState[];
}

function readHost(address: string): string {
  try {
    return new URL(address).hostname.toLowerCase();
  } catch {
    return address.replace(/:\d+$/, '').toLowerCase();
  }
}

/** The product the incident is about: "Azure", "Microsoft 365", "AWS", or a probe target's name. */
export function describeVendor(incident: IncidentRecord | null): string {
  if (!incident) return 'crosswatch';
  const named = PROVIDER_NAMES[incident.provider];
  if (named) return named;
  const state = incident.probeState;
  if (!state) return incident.provider;
  const host = readHost(state.address);
  for (const [pattern, vendor] of HOST_VENDORS) if (pattern.test(host)) return vendor;
  if (/^(azure|arm)\b/i.test(state.targetName) || state.targetId.startsWith('azure')) return 'Azure';
  return state.targetName;
}

/** Who would acknowledge it: "Microsoft", "AWS", or "the provider". */
export function describeAcknowledger(vendor: string): string {
  return ACKNOWLEDGERS[vendor] ?? 'the provider';
}

export function describePlane(plane: string): string {
  return plane === 'control-target' ? 'control target' : `${plane} plane`;
}

/** "Virtual Machines, Storage and 3 more". */
export function describeList(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** The provider's own id from an incidentKey: `azure:1LTK-9ZZ` → `1LTK-9ZZ`. */
export function readTrackingId(incidentKey: string): string {
  const colon = incidentKey.indexOf(':');
  return colon === -1 ? incidentKey : incidentKey.slice(colon + 1);
}

export function countVantages(state: ProbeState, now: number, freshnessMs: number): VantageCounts {
  const all = Object.values(state.vantages);
  const fresh = (at: string | null) => at !== null && now - Date.parse(at) <= freshnessMs;
  // Impaired by its own latest result, or by its control targets as the verdict saw it.
  const judged = new Set(state.impairedVantages ?? []);
  const impaired = all.filter(
    (v) =>
      (judged.has(v.id) && (fresh(v.lastResultAt) || fresh(v.lastInconclusiveAt))) ||
      (v.lastInconclusiveReason === 'vantage-impaired' &&
        fresh(v.lastInconclusiveAt) &&
        v.lastInconclusiveAt !== null &&
        Date.parse(v.lastInconclusiveAt) >= Date.parse(v.lastResultAt)),
  );
  const impairedIds = new Set(impaired.map((v) => v.id));
  let counted = all.filter((v) => fresh(v.lastResultAt) && !impairedIds.has(v.id));
  let silent = all.filter((v) => !fresh(v.lastResultAt) && !fresh(v.lastInconclusiveAt));
  // Nothing fresh (a late or replayed decision): judge by every vantage's last known state.
  if (counted.length === 0 && impaired.length === 0) {
    counted = all;
    silent = [];
  }
  return { counted, failing: counted.filter((v) => v.failing), impaired, silent };
}

/** When a vantage was last heard from (its latest result, counted or not). */
function readLastHeard(vantage: VantageState): number {
  return Math.max(
    Date.parse(vantage.lastResultAt),
    Date.parse(vantage.lastInconclusiveAt ?? '1970-01-01T00:00:00Z'),
  );
}

/**
 * What the verdict could not hear: `; self-hosted not heard from for 4 min`, or for a verdict from a
 * single vantage with nobody else around, `; judged from this vantage alone`.
 */
function describeHearing(counts: VantageCounts, now: number): string {
  if (counts.silent.length > 0) {
    const parts = counts.silent.map(
      (v) => `${v.id} not heard from for ${formatDuration(Math.max(0, now - readLastHeard(v)))}`,
    );
    return `; ${describeList(parts)}`;
  }
  if (counts.counted.length === 1 && counts.impaired.length === 0)
    return `; judged from ${counts.counted[0]?.id ?? 'one vantage'} alone`;
  return '';
}

function describeAcknowledgement(state: ProbeState, acknowledger: string): string {
  if (state.acknowledgedBy.length === 0) return `not acknowledged by ${acknowledger} yet`;
  const ids = state.acknowledgedBy.map((ack) => readTrackingId(ack.incidentKey));
  return `acknowledged by ${acknowledger} (${describeList(ids)})`;
}

/**
 * The impaired vantages by name (`impaired vantages (aws-eu-west-1)`); never an empty list: with no
 * vantage to name (a record from before they were kept), the words alone.
 */
function describeImpaired(state: ProbeState, counts: VantageCounts): string {
  const ids = counts.impaired.length > 0 ? counts.impaired.map((v) => v.id) : (state.impairedVantages ?? []);
  if (ids.length === 0) return 'vantages whose own network is impaired';
  return `impaired vantages (${describeList(ids)})`;
}

function describeProbeHeadline(
  decision: Decision,
  incident: IncidentRecord,
  state: ProbeState,
  counts: VantageCounts,
  now: number,
): string {
  const vendor = describeVendor(incident);
  const acknowledger = describeAcknowledger(vendor);
  const subject = `${vendor} ${describePlane(state.plane)}`;
  const ack = describeAcknowledgement(state, acknowledger);
  const of = `${counts.failing.length} of ${counts.counted.length} vantage${counts.counted.length === 1 ? '' : 's'}`;
  const lasting =
    decision.kind === 'escalate' && state.outageSince !== null
      ? ` for ${formatDuration(now - Date.parse(state.outageSince))}`
      : '';
  const status = decision.status ?? incident.status;
  if (status === 'resolved') {
    const acked = state.acknowledgedBy.length > 0 ? `, ${ack}` : '';
    return `${subject} healthy again from ${counts.counted.length} vantage${counts.counted.length === 1 ? '' : 's'}${acked}`;
  }
  const hearing = describeHearing(counts, now);
  const failing = describeList(counts.failing.map((v) => v.id));
  switch (state.verdict) {
    case 'provider-outage':
      return `${subject} failing from ${of}${lasting}, ${ack}${hearing}`;
    case 'partial':
      return `${subject} failing from ${of} (${failing}), ${ack}${hearing}`;
    case 'degraded':
      return `${subject} degraded (slow or intermittent) from ${of}, ${ack}${hearing}`;
    case 'vantage-impaired':
      return `${subject} unreachable only from ${describeImpaired(state, counts)}: likely our network, not ${vendor}`;
    default:
      return `${subject} failing from ${of}, ${ack}${hearing}`;
  }
}

function describeProviderHeadline(decision: Decision, incident: IncidentRecord): string {
  const vendor = describeVendor(incident);
  const who = describeAcknowledger(vendor) === 'the provider' ? vendor : describeAcknowledger(vendor);
  const services = incident.services.length > 0 ? describeList(incident.services) : 'its services';
  const where = incident.regions.length > 0 ? ` in ${describeList(incident.regions)}` : '';
  const tracking = ` (tracking ${readTrackingId(incident.incidentKey)}${incident.stage ? `, stage ${incident.stage}` : ''})`;
  const resolved = (decision.status ?? incident.status) === 'resolved';
  switch (incident.category) {
    case 'maintenance':
      return resolved
        ? `${who} reports planned maintenance of ${services}${where} complete${tracking}`
        : `${who} announces planned maintenance of ${services}${where}${tracking}`;
    case 'security':
      return `${who} published a security advisory for ${services}${where}${tracking}`;
    case 'advisory':
      return `${who} published an advisory for ${services}${where}${tracking}`;
    case 'action-required':
      return `${who} asks for action on ${services}${where}${tracking}`;
    case 'resource-health':
      return resolved
        ? `${who} reports ${services}${where} resources available again${tracking}`
        : `${who} reports resources of ${services}${where} unavailable or degraded${tracking}`;
    default:
      return resolved
        ? `${who} reports ${services}${where} recovered${tracking}`
        : `${who} reports an incident affecting ${services}${where}${tracking}`;
  }
}

/** The verdict sentence an operator reads first. */
export function describeHeadline(
  decision: Decision,
  incident: IncidentRecord | null,
  now: number,
  freshnessMs: number,
): string {
  if (!incident) return decision.title ?? `${decision.kind}: ${decision.reason ?? decision.incidentKey}`;
  const state = incident.probeState;
  if (incident.kind === 'probe' && state) {
    return describeProbeHeadline(decision, incident, state, countVantages(state, now, freshnessMs), now);
  }
  return describeProviderHeadline(decision, incident);
}

export interface Guidance {
  readonly seen: string[];
  readonly likely: string[];
}

function describeVantage(v: VantageState): string {
  const what = v.lastError ?? v.lastOutcome;
  const since = v.failingSince ? ` since ${v.failingSince}` : '';
  return `${v.id} (${v.cloud} ${v.region}): ${what}${since}`;
}

function describeProbeGuidance(
  decision: Decision,
  incident: IncidentRecord,
  state: ProbeState,
  counts: VantageCounts,
): Guidance {
  const vendor = describeVendor(incident);
  const acknowledger = describeAcknowledger(vendor);
  const subject = `${state.targetName} (${describePlane(state.plane)})`;
  const seen: string[] = [];
  const likely: string[] = [];
  const resolved = (decision.status ?? incident.status) === 'resolved';
  if (resolved) {
    seen.push(`${subject} answers again from ${counts.counted.length} vantage(s)`);
  } else {
    for (const v of counts.failing) seen.push(`Failing from ${describeVantage(v)}`);
    const healthy = counts.counted.filter((v) => !v.failing);
    if (healthy.length > 0)
      seen.push(
        `Healthy from ${describeList(
          healthy.map((v) => v.id),
          5,
        )}`,
      );
    if (counts.impaired.length > 0) {
      seen.push(
        `Control targets outside Microsoft fail from ${describeList(
          counts.impaired.map((v) => v.id),
          5,
        )}`,
      );
    } else if (counts.failing.length > 0) {
      seen.push('Control targets outside Microsoft are healthy from the failing vantages');
    }
  }
  if (state.detectedAt) seen.push(`Detected at ${state.detectedAt}`);
  if (state.acknowledgedBy.length > 0) {
    for (const ack of state.acknowledgedBy) {
      seen.push(
        `${acknowledger} published "${ack.title}" (${readTrackingId(ack.incidentKey)}) at ${ack.publishedAt}`,
      );
    }
    const lead = describeLeadTime(state.leadTimeMs, acknowledger);
    if (lead) seen.push(`Lead time: ${lead}`);
  } else {
    seen.push(`No matching ${acknowledger} incident has been published yet`);
  }
  if (resolved) {
    likely.push(`The impact on ${vendor} ${describePlane(state.plane)} is over as seen from our vantages`);
    if (state.acknowledgedBy.length > 0)
      likely.push(`${acknowledger} may still publish updates or a root cause analysis`);
    return { seen, likely };
  }
  switch (state.verdict) {
    case 'provider-outage':
      likely.push(
        `A ${vendor}-side outage of the ${describePlane(state.plane)}: it fails from independent vantages whose own networks are healthy`,
      );
      likely.push('Workloads that depend on it are affected wherever they run; this is not our network');
      if (state.acknowledgedBy.length === 0)
        likely.push(`${acknowledger} has not said so yet; expect its status notice later`);
      break;
    case 'partial':
      likely.push(
        'A regional or path-specific problem: only some vantages fail, so the route between them and the provider may be at fault',
      );
      likely.push('Users near the failing vantages may be affected while others are not');
      break;
    case 'degraded':
      likely.push(`${vendor} ${describePlane(state.plane)} is slow or intermittent rather than down`);
      likely.push('Expect timeouts and retries rather than hard failures');
      break;
    case 'vantage-impaired':
      likely.push(`Our own network at the impaired vantage is the problem, not ${vendor}`);
      break;
    default:
      likely.push('Not enough fresh results to judge whether it is the provider or our network');
  }
  return { seen, likely };
}

/** How many subscriptions a message names before it says "and N more". */
export const MAX_NAMED_SUBSCRIPTIONS = 5;

/**
 * "Seen from 4 subscriptions: a, b, c, d" (AWS: accounts), at most MAX_NAMED_SUBSCRIPTIONS of them
 * named, then "and N more"; null when there are none.
 */
export function describeSubscriptions(provider: string, ids: readonly string[]): string | null {
  if (ids.length === 0) return null;
  const noun = provider === 'aws' ? 'account' : 'subscription';
  const plural = ids.length === 1 ? noun : `${noun}s`;
  return `Seen from ${ids.length === 1 ? '' : `${ids.length} `}${plural}: ${describeList(ids, MAX_NAMED_SUBSCRIPTIONS)}`;
}

function describeProviderGuidance(
  decision: Decision,
  incident: IncidentRecord,
  subscriptions: readonly string[],
): Guidance {
  const vendor = describeVendor(incident);
  const who = describeAcknowledger(vendor) === 'the provider' ? vendor : describeAcknowledger(vendor);
  const seen: string[] = [];
  const likely: string[] = [];
  const resolved = (decision.status ?? incident.status) === 'resolved';
  const published = decision.eventTime ? ` at ${decision.eventTime}` : '';
  seen.push(`${who} published ${incident.stage ? `a "${incident.stage}" update` : 'an update'}${published}`);
  if (incident.services.length > 0) seen.push(`Services named: ${describeList(incident.services, 10)}`);
  if (incident.regions.length > 0) seen.push(`Regions named: ${describeList(incident.regions, 10)}`);
  const scoped = describeSubscriptions(incident.provider, subscriptions);
  if (scoped !== null) seen.push(scoped);
  if (incident.startedAt) seen.push(`Impact start reported as ${incident.startedAt}`);
  if (resolved) {
    likely.push('The provider considers the impact over; confirm with your own checks before closing');
    return { seen, likely };
  }
  switch (incident.category) {
    case 'maintenance':
      likely.push('Planned work: expect brief disruption during the window');
      break;
    case 'security':
    case 'action-required':
      likely.push("Action may be needed on your side: read the provider's notice");
      break;
    case 'advisory':
      likely.push('Informational: no impact expected unless the notice says otherwise');
      break;
    default: {
      const where = incident.regions.length > 0 ? ` in ${describeList(incident.regions)}` : '';
      likely.push(
        `Workloads using ${describeList(incident.services) || 'these services'}${where} may fail until ${who} mitigates`,
      );
    }
  }
  return { seen, likely };
}

/** What a signal without an incident (health source, watchdog, vantage health) likely means. */
function describeSignalLikely(decision: Decision): string[] {
  const vantage = decision.incidentKey.startsWith('vantage:') ? readTrackingId(decision.incidentKey) : null;
  if (decision.reason === 'vantage-impaired' && vantage !== null) {
    return [
      `The network at vantage ${vantage} is failing, not Microsoft: its probe failures are held back (not counted) until it recovers`,
      "Other vantages still judge the providers; check this vantage's connectivity (DNS, proxy, firewall, uplink)",
    ];
  }
  if (decision.reason === 'vantage-recovered' && vantage !== null) {
    return [`Probe results from vantage ${vantage} count again`];
  }
  return decision.kind === 'escalate'
    ? ["crosswatch's own pipeline or a health source is impaired: alerts from it may be missing"]
    : ['The condition has cleared'];
}

/**
 * What is seen (facts) and what is likely (inferences), for the operator's own communication.
 * `subscriptions` are the ones this message names (a per-subscription delivery names only its own).
 */
export function describeGuidance(
  decision: Decision,
  incident: IncidentRecord | null,
  now: number,
  freshnessMs: number,
  subscriptions: readonly string[] = [],
): Guidance {
  if (!incident) {
    const seen = [decision.title ?? decision.kind];
    if (decision.eventTime) seen.push(`Last signal at ${decision.eventTime}`);
    return { seen, likely: describeSignalLikely(decision) };
  }
  const state = incident.probeState;
  if (incident.kind === 'probe' && state) {
    return describeProbeGuidance(decision, incident, state, countVantages(state, now, freshnessMs));
  }
  return describeProviderGuidance(decision, incident, subscriptions);
}
