/**
 * Notification routing: an ordered list of rules, each matching on what a decision is about
 * (provider, category, status, severity, verdict, plane, service, region, incident age,
 * acknowledgement, decision kind) and naming the sinks that get it. Like Alertmanager's routing tree
 * flattened to one level: the first matching rule wins unless it says `continue: true`, in which case
 * later rules are tried too; when no rule matches, the default route applies. Each rule may name a
 * fallback chain: sinks tried one after another when a delivery of that rule dead-letters.
 *
 * Every criterion present must hold (AND); within one list any value may match (OR). Text compares
 * case-insensitively. `explainRoute` says, rule by rule, what matched and what did not, and why.
 *
 * Per-subscription routing: with `splitBySubscription`, a decision about an incident seen from
 * several subscriptions (or AWS accounts) is routed once per subscription, as if it had been seen
 * from that one alone, and each sink gets one delivery naming only the subscriptions routed to it
 * (`routeBySubscription`). Rules pick subscriptions with the `subscriptions` criterion.
 */
import type { Decision, DecisionKind } from '../engine/decision.ts';
import type { IncidentRecord } from '../engine/incident-record.ts';
import type { CrosswatchEvent } from '../event/schema.ts';

export const ROUTE_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type RouteSeverity = (typeof ROUTE_SEVERITIES)[number];

export interface RouteMatch {
  readonly providers?: readonly string[];
  readonly categories?: readonly string[];
  /** The incident's status after the decision: `open` or `resolved`. */
  readonly statuses?: readonly string[];
  readonly severities?: readonly string[];
  /** At least this severe (critical > error > warning > info). */
  readonly minSeverity?: RouteSeverity;
  readonly verdicts?: readonly string[];
  readonly planes?: readonly string[];
  /** Any of the incident's services is one of these. */
  readonly services?: readonly string[];
  /** Any of the incident's regions is one of these. */
  readonly regions?: readonly string[];
  /** Any of the subscriptions (or AWS accounts) the incident was seen from is one of these. */
  readonly subscriptions?: readonly string[];
  readonly decisionKinds?: readonly DecisionKind[];
  /** The incident has lasted at least this long (ms) when the decision is routed. */
  readonly minAgeMs?: number;
  /** …and at most this long. */
  readonly maxAgeMs?: number;
  /** The provider has acknowledged it (provider incidents always are; probe incidents once linked). */
  readonly acknowledged?: boolean;
}

export interface RouteRule {
  /** A label for `route --explain` and delivery records; `routes[<index>]` when absent. */
  readonly name?: string;
  readonly match: RouteMatch;
  readonly sinks: readonly string[];
  /** Keep trying later rules after this one matched. */
  readonly continue: boolean;
  /** Sink names tried in order, each when the previous delivery dead-letters. */
  readonly fallback: readonly string[];
}

export interface DefaultRoute {
  readonly sinks: readonly string[];
  readonly fallback: readonly string[];
}

export interface RoutingTable {
  readonly routes: readonly RouteRule[];
  readonly defaultRoute: DefaultRoute;
  /** Route (and name) each subscription of a multi-subscription incident on its own (default false). */
  readonly splitBySubscription?: boolean;
}

/** What a route is matched against: a decision seen through its incident. */
export interface RouteSubject {
  readonly decisionKind: DecisionKind;
  readonly provider: string | null;
  readonly category: string | null;
  readonly status: string | null;
  readonly severity: string | null;
  readonly verdict: string | null;
  readonly plane: string | null;
  readonly services: readonly string[];
  readonly regions: readonly string[];
  /** The subscriptions (Azure) and accounts (AWS) the incident was seen from, lower-case. */
  readonly subscriptions: readonly string[];
  /** Incident age in ms (from its start, else when it was first seen), or null when unknown. */
  readonly ageMs: number | null;
  readonly acknowledged: boolean;
}

/** One sink a decision goes to, and which rule sent it there. */
export interface RoutedSink {
  readonly sink: string;
  /** `routes[2]`, the rule's name, or `default`. */
  readonly rule: string;
  readonly fallback: readonly string[];
}

/** A sink of a split routing, with the subscriptions routed to it (null: not split, all of them). */
export interface SubscriptionRoutedSink extends RoutedSink {
  readonly subscriptions: readonly string[] | null;
}

export interface RuleExplanation {
  readonly index: number;
  readonly rule: string;
  /** `matched`, `not-matched`, or `not-evaluated` (an earlier matching rule stopped the walk). */
  readonly result: 'matched' | 'not-matched' | 'not-evaluated';
  /** Each criterion checked, with its verdict: `severity "error" is one of [critical, error]`. */
  readonly reasons: readonly string[];
  readonly sinks: readonly string[];
  readonly continue: boolean;
}

export interface RouteExplanation {
  readonly subject: RouteSubject;
  readonly rules: readonly RuleExplanation[];
  readonly defaultUsed: boolean;
  readonly routed: readonly RoutedSink[];
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 4, error: 3, warning: 2, info: 1 };

function parseTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

/** The subscriptions and AWS accounts in a scope, lower-case, each once. */
export function listScopeSubscriptions(
  scope: { readonly subscriptionIds: readonly string[]; readonly accountIds: readonly string[] } | undefined,
): string[] {
  if (!scope) return [];
  return [...new Set([...scope.subscriptionIds, ...scope.accountIds].map((id) => id.toLowerCase()))];
}

/** The route subject of a decision, with its incident when there is one (health sources and watchdogs have none). */
export function describeRouteSubject(
  decision: Decision,
  incident: IncidentRecord | undefined,
  now: Date,
): RouteSubject {
  const probe = incident?.probeState ?? null;
  const started = parseTime(incident?.startedAt) ?? parseTime(incident?.firstSeenAt) ?? null;
  const acknowledged = incident
    ? incident.kind === 'provider' || (probe !== null && probe.acknowledgedBy.length > 0)
    : false;
  return {
    decisionKind: decision.kind,
    provider: decision.provider ?? incident?.provider ?? null,
    category: decision.category ?? incident?.category ?? null,
    status: decision.status ?? incident?.status ?? null,
    severity: decision.severity ?? incident?.severity ?? null,
    verdict: decision.verdict ?? probe?.verdict ?? null,
    plane: probe?.plane ?? null,
    services: incident?.services ?? [],
    regions: incident?.regions ?? [],
    subscriptions: listScopeSubscriptions(incident?.scope),
    ageMs: started === null ? null : Math.max(0, now.getTime() - started),
    acknowledged,
  };
}

/**
 * The route subject of one event on its own, without an engine run (`crosswatch route --explain`):
 * the decision kind is `resolve` for a resolved event and `open` otherwise unless given; provider
 * events count as acknowledged, probe results do not; the incident's age is taken at the event's own
 * update time; a probe result alone has no verdict unless one is given.
 */
export function describeEventRouteSubject(
  event: CrosswatchEvent,
  options: { readonly kind?: DecisionKind; readonly verdict?: string | null; readonly now?: Date } = {},
): RouteSubject {
  const data = event.data;
  const probe = data.provider === 'crosswatch' && 'plane' in data ? data : null;
  const started = parseTime(data.startedAt) ?? parseTime(data.updatedAt);
  const at = options.now?.getTime() ?? parseTime(data.updatedAt);
  return {
    decisionKind: options.kind ?? (data.status === 'resolved' ? 'resolve' : 'open'),
    provider: data.provider,
    category: data.category,
    status: data.status === 'resolved' ? 'resolved' : 'open',
    severity: data.severity,
    verdict: options.verdict ?? null,
    plane: probe ? probe.plane : null,
    services: data.services,
    regions: data.regions,
    subscriptions: listScopeSubscriptions(data.scope),
    ageMs: started === null || at === null ? null : Math.max(0, at - started),
    acknowledged: probe === null,
  };
}

export function describeRule(rule: RouteRule, index: number): string {
  return rule.name ?? `routes[${index}]`;
}

function formatList(values: readonly string[]): string {
  return `[${values.join(', ')}]`;
}

function checkOne(label: string, value: string | null, wanted: readonly string[]): [boolean, string] {
  const lower = wanted.map((item) => item.toLowerCase());
  if (value === null) return [false, `${label} is not known, wanted one of ${formatList(wanted)}`];
  const ok = lower.includes(value.toLowerCase());
  return [ok, `${label} "${value}" is ${ok ? '' : 'not '}one of ${formatList(wanted)}`];
}

function checkAny(label: string, values: readonly string[], wanted: readonly string[]): [boolean, string] {
  const lower = new Set(wanted.map((item) => item.toLowerCase()));
  const hit = values.find((value) => lower.has(value.toLowerCase()));
  if (hit !== undefined) return [true, `${label} include "${hit}" from ${formatList(wanted)}`];
  return [false, `${label} ${formatList(values)} include none of ${formatList(wanted)}`];
}

function formatAge(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** Every criterion of a rule's match checked against the subject; an empty match matches everything. */
export function checkRouteMatch(
  match: RouteMatch,
  subject: RouteSubject,
): { matched: boolean; reasons: string[] } {
  const results: [boolean, string][] = [];
  if (match.decisionKinds) results.push(checkOne('decision kind', subject.decisionKind, match.decisionKinds));
  if (match.providers) results.push(checkOne('provider', subject.provider, match.providers));
  if (match.categories) results.push(checkOne('category', subject.category, match.categories));
  if (match.statuses) results.push(checkOne('status', subject.status, match.statuses));
  if (match.severities) results.push(checkOne('severity', subject.severity, match.severities));
  if (match.minSeverity) {
    const rank = subject.severity === null ? undefined : SEVERITY_RANK[subject.severity.toLowerCase()];
    const ok = rank !== undefined && rank >= (SEVERITY_RANK[match.minSeverity] ?? 0);
    results.push([
      ok,
      `severity "${subject.severity ?? 'unknown'}" is ${ok ? '' : 'not '}at least ${match.minSeverity}`,
    ]);
  }
  if (match.verdicts) results.push(checkOne('verdict', subject.verdict, match.verdicts));
  if (match.planes) results.push(checkOne('plane', subject.plane, match.planes));
  if (match.services) results.push(checkAny('services', subject.services, match.services));
  if (match.regions) results.push(checkAny('regions', subject.regions, match.regions));
  if (match.subscriptions) {
    results.push(checkAny('subscriptions', subject.subscriptions, match.subscriptions));
  }
  if (match.minAgeMs !== undefined) {
    const ok = subject.ageMs !== null && subject.ageMs >= match.minAgeMs;
    results.push([
      ok,
      subject.ageMs === null
        ? `incident age is not known, wanted at least ${formatAge(match.minAgeMs)}`
        : `incident age ${formatAge(subject.ageMs)} is ${ok ? '' : 'not '}at least ${formatAge(match.minAgeMs)}`,
    ]);
  }
  if (match.maxAgeMs !== undefined) {
    const ok = subject.ageMs !== null && subject.ageMs <= match.maxAgeMs;
    results.push([
      ok,
      subject.ageMs === null
        ? `incident age is not known, wanted at most ${formatAge(match.maxAgeMs)}`
        : `incident age ${formatAge(subject.ageMs)} is ${ok ? '' : 'not '}at most ${formatAge(match.maxAgeMs)}`,
    ]);
  }
  if (match.acknowledged !== undefined) {
    const ok = subject.acknowledged === match.acknowledged;
    results.push([
      ok,
      `the provider has ${subject.acknowledged ? '' : 'not '}acknowledged it (wanted ${match.acknowledged ? 'acknowledged' : 'not acknowledged'})`,
    ]);
  }
  if (results.length === 0) return { matched: true, reasons: ['no criteria: matches everything'] };
  return { matched: results.every(([ok]) => ok), reasons: results.map(([, reason]) => reason) };
}

function addRouted(
  routed: RoutedSink[],
  sinks: readonly string[],
  rule: string,
  fallback: readonly string[],
) {
  for (const sink of sinks) {
    // One delivery per sink and decision: the first rule naming a sink decides its fallback.
    if (!routed.some((entry) => entry.sink === sink)) routed.push({ sink, rule, fallback });
  }
}

/** Walks the rules for one subject, recording why each matched or not. */
export function explainRoute(table: RoutingTable, subject: RouteSubject): RouteExplanation {
  const rules: RuleExplanation[] = [];
  const routed: RoutedSink[] = [];
  let matchedAny = false;
  let stopped = false;
  table.routes.forEach((rule, index) => {
    const name = describeRule(rule, index);
    const base = { index, rule: name, sinks: rule.sinks, continue: rule.continue };
    if (stopped) {
      rules.push({ ...base, result: 'not-evaluated', reasons: ['an earlier rule matched without continue'] });
      return;
    }
    const { matched, reasons } = checkRouteMatch(rule.match, subject);
    rules.push({ ...base, result: matched ? 'matched' : 'not-matched', reasons });
    if (!matched) return;
    matchedAny = true;
    addRouted(routed, rule.sinks, name, rule.fallback);
    if (!rule.continue) stopped = true;
  });
  if (!matchedAny) addRouted(routed, table.defaultRoute.sinks, 'default', table.defaultRoute.fallback);
  return { subject, rules, defaultUsed: !matchedAny, routed };
}

/** The sinks a subject goes to (at most one entry per sink). */
export function routeSubject(table: RoutingTable, subject: RouteSubject): RoutedSink[] {
  return [...explainRoute(table, subject).routed];
}

/**
 * The sinks a subject goes to, split by subscription when the table says so: each subscription is
 * routed as if the incident had been seen from it alone, and a sink reached by several of them gets
 * one entry listing them (in the subject's order). Without the split, or without subscriptions, this
 * is routeSubject with `subscriptions: null`.
 */
export function routeBySubscription(table: RoutingTable, subject: RouteSubject): SubscriptionRoutedSink[] {
  if (!table.splitBySubscription || subject.subscriptions.length === 0) {
    return routeSubject(table, subject).map((routed) => ({ ...routed, subscriptions: null }));
  }
  const bySink = new Map<string, RoutedSink & { subscriptions: string[] }>();
  for (const subscription of subject.subscriptions) {
    for (const routed of routeSubject(table, { ...subject, subscriptions: [subscription] })) {
      const entry = bySink.get(routed.sink);
      if (entry) entry.subscriptions.push(subscription);
      else bySink.set(routed.sink, { ...routed, subscriptions: [subscription] });
    }
  }
  return [...bySink.values()];
}

/** Human-readable lines of an explanation (`crosswatch route --explain`). */
export function formatRouteExplanation(explanation: RouteExplanation): string {
  const s = explanation.subject;
  const lines = [
    `subject: kind=${s.decisionKind} provider=${s.provider ?? '-'} category=${s.category ?? '-'} status=${s.status ?? '-'} severity=${s.severity ?? '-'} verdict=${s.verdict ?? '-'} plane=${s.plane ?? '-'} acknowledged=${s.acknowledged} age=${s.ageMs === null ? '-' : formatAge(s.ageMs)}`,
    `  services: ${formatList(s.services)}  regions: ${formatList(s.regions)}  subscriptions: ${formatList(s.subscriptions)}`,
  ];
  for (const rule of explanation.rules) {
    const head = `  ${rule.rule}: ${rule.result.toUpperCase()} → ${formatList(rule.sinks)}${rule.continue ? ' (continue)' : ''}`;
    lines.push(head, ...rule.reasons.map((reason) => `      - ${reason}`));
  }
  if (explanation.defaultUsed) lines.push('  default route: USED (no rule matched)');
  else lines.push('  default route: not used');
  const routed = explanation.routed.map(
    (entry) =>
      `${entry.sink} (${entry.rule}${entry.fallback.length ? `; fallback ${entry.fallback.join(' → ')}` : ''})`,
  );
  lines.push(`  sends to: ${routed.length ? routed.join(', ') : 'nothing'}`);
  return `${lines.join('\n')}\n`;
}
