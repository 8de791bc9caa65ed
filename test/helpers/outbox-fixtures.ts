/**
 * Fixtures for outbox tests: a fake clock whose sleep advances virtual time (no real waiting),
 * scripted in-test sinks that record every call, and decisions/messages built without an engine run.
 * The scripted sink IS the sink contract (sink.ts): it classifies, never retries, never throws
 * (unless a test makes it throw on purpose).
 */
import { createDecision, type Decision, type DecisionKind } from '../../shared/engine/decision.ts';
import type { NotificationMessage } from '../../shared/notify/message.ts';
import type { RoutingTable } from '../../shared/notify/routing.ts';
import type { SendContext, SendResult, Sink, SinkKind, SinkRateLimit } from '../../shared/notify/sink.ts';

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');

export interface FakeClock {
  now(): Date;
  ms(): number;
  advance(ms: number): void;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every sleep asked for, in order. */
  readonly sleeps: number[];
}

export function createFakeClock(start = T0): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => new Date(now),
    ms: () => now,
    advance(ms) {
      now += ms;
    },
    async sleep(ms) {
      sleeps.push(ms);
      now += Math.max(0, ms);
      // Let other loops run, as a real timer would.
      await new Promise((resolve) => setImmediate(resolve));
    },
    sleeps,
  };
}

export interface SinkCall {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly at: number;
  readonly title: string;
}

export type Script = (call: SinkCall, context: SendContext) => SendResult | Promise<SendResult>;

export const DELIVERED: SendResult = { outcome: 'delivered', status: 200, receipt: 'ok', detail: 'HTTP 200' };

export interface ScriptedSink extends Sink {
  readonly calls: SinkCall[];
}

export function createScriptedSink(
  name: string,
  clock: { ms(): number },
  script: Script = () => DELIVERED,
  options: { kind?: SinkKind; rateLimit?: SinkRateLimit | null } = {},
): ScriptedSink {
  const calls: SinkCall[] = [];
  return {
    name,
    kind: options.kind ?? 'webhook',
    rateLimit: options.rateLimit ?? null,
    calls,
    async send(message, context) {
      const call = {
        deliveryId: context.deliveryId,
        attempt: context.attempt,
        at: clock.ms(),
        title: message.title,
      };
      calls.push(call);
      return script(call, context);
    },
  };
}

/** Scripts that answer in turn, then repeat the last answer. */
export function answerInTurn(...results: SendResult[]): Script {
  let index = 0;
  return () => {
    const result = results[Math.min(index, results.length - 1)] ?? DELIVERED;
    index++;
    return result;
  };
}

let counter = 0;

export function buildDecision(
  overrides: Partial<{
    kind: DecisionKind;
    incidentKey: string;
    updateKey: string;
    decidedAt: string;
    seq: number | null;
    severity: string;
    provider: string;
    category: string;
  }> = {},
): Decision {
  counter++;
  return createDecision({
    kind: overrides.kind ?? 'open',
    reason: null,
    suppressedKind: null,
    incidentKey: overrides.incidentKey ?? `azure:TRACK-${counter}`,
    updateKey: overrides.updateKey ?? `azure:TRACK-${counter}:1:Active`,
    eventId: null,
    stale: false,
    decidedAt: overrides.decidedAt ?? new Date(T0).toISOString(),
    eventTime: null,
    status: 'open',
    verdict: null,
    stage: 'Active',
    title: `Incident ${counter}`,
    severity: overrides.severity ?? 'error',
    provider: overrides.provider ?? 'azure',
    category: overrides.category ?? 'incident',
    seq: overrides.seq === undefined ? 1 : overrides.seq,
  });
}

/** A message built from the decision alone (the real builder is tested with the engine elsewhere). */
export function buildTestMessage(decision: Decision): NotificationMessage {
  return {
    decisionId: decision.id,
    decisionKind: decision.kind,
    reason: decision.reason,
    action: 'trigger',
    incidentKey: decision.incidentKey,
    updateKey: decision.updateKey,
    provider: decision.provider ?? 'azure',
    category: decision.category ?? 'incident',
    status: 'open',
    severity: 'error',
    title: decision.title ?? 'untitled',
    headline: 'test headline',
    verdict: null,
    plane: null,
    services: [],
    regions: [],
    summary: 'test summary',
    seen: [],
    likely: [],
    acknowledgement: { acknowledged: true, trackingIds: [], acknowledgedAt: null },
    leadTimeMs: null,
    startedAt: null,
    decidedAt: decision.decidedAt,
    links: [],
    statusPageUrl: null,
  };
}

export function routeAllTo(sinks: string[], fallback: string[] = []): RoutingTable {
  return { routes: [], defaultRoute: { sinks, fallback } };
}
