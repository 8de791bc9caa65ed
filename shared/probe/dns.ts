/**
 * DNS probe: A/AAAA/CNAME/MX/TXT through the host's resolver (`system`: getaddrinfo for A/AAAA, the
 * configured name servers for the rest) and through explicitly configured resolvers (c-ares over UDP,
 * which retries over TCP when an answer is truncated). NXDOMAIN, SERVFAIL, REFUSED, timeout and an
 * empty answer are distinct codes, and answers are compared across resolvers.
 */
import { promises as dns } from 'node:dns';
import type { ProbeErrorCode } from '../event/vocabulary.ts';
import { classifyError, describeError } from './classify-error.ts';
import {
  createEmptyPhases,
  type Observation,
  type ProbeContext,
  type ProbeReport,
  roundMs,
} from './probe-types.ts';
import type { DnsRecordType, DnsTarget } from './target-types.ts';

/** c-ares per-attempt timeout and attempts; the probe's own timeout (AbortSignal) cuts it shorter. */
const RESOLVER_ATTEMPT_MS = 1500;
const RESOLVER_TRIES = 2;

export interface ResolverAnswer {
  readonly resolver: string;
  readonly answers: readonly string[] | null;
  readonly error: ProbeErrorCode | null;
  readonly detail: string | null;
  readonly ms: number;
}

type Querier = Pick<dns.Resolver, 'resolve4' | 'resolve6' | 'resolveCname' | 'resolveMx' | 'resolveTxt'>;

async function queryRecords(querier: Querier, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return querier.resolve4(name);
    case 'AAAA':
      return querier.resolve6(name);
    case 'CNAME':
      return (await querier.resolveCname(name)).map((host) => host.toLowerCase());
    case 'MX':
      return (await querier.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange.toLowerCase()}`);
    case 'TXT':
      return (await querier.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

async function querySystem(name: string, type: DnsRecordType): Promise<string[]> {
  if (type === 'A' || type === 'AAAA') {
    const found = await dns.lookup(name, { family: type === 'A' ? 4 : 6, all: true });
    return found.map((entry) => entry.address);
  }
  return queryRecords(dns, name, type);
}

function queryResolver(target: DnsTarget, spec: string, ctx: ProbeContext): Promise<ResolverAnswer> {
  const start = ctx.now();
  const done = (
    answers: string[] | null,
    error: ProbeErrorCode | null,
    detail: string | null,
  ): ResolverAnswer => ({
    resolver: spec,
    answers,
    error,
    detail,
    ms: roundMs(ctx.now() - start),
  });
  return new Promise<ResolverAnswer>((resolve) => {
    let settled = false;
    let resolver: dns.Resolver | undefined;
    const settle = (answer: ResolverAnswer) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const onAbort = () => {
      settle(done(null, 'DNS_TIMEOUT', `${spec}: no answer within ${roundMs(ctx.now() - start)} ms`));
      resolver?.cancel();
    };
    if (ctx.signal.aborted) {
      onAbort();
      return;
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let query: Promise<string[]>;
    try {
      if (spec === 'system') query = querySystem(target.name, target.type);
      else {
        resolver = new dns.Resolver({ timeout: RESOLVER_ATTEMPT_MS, tries: RESOLVER_TRIES });
        // setServers takes `IP`, `IP:PORT` and `[IPv6]:PORT`, the forms the targets file accepts.
        resolver.setServers([spec]);
        query = queryRecords(resolver, target.name, target.type);
      }
    } catch (error) {
      settle(done(null, 'DNS_ERROR', `${spec}: ${describeError(error)}`));
      return;
    }
    query.then(
      (answers) =>
        settle(
          answers.length === 0 ? done([], 'DNS_NODATA', `${spec}: empty answer`) : done(answers, null, null),
        ),
      (error: unknown) => settle(done(null, classifyError(error, 'dns'), `${spec}: ${describeError(error)}`)),
    );
  });
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return b.some((item) => set.has(item));
}

function comparable(type: DnsRecordType, answers: readonly string[]): string[] {
  // MX preference values differ between equivalent configurations; compare the exchanges.
  return type === 'MX' ? answers.map((answer) => answer.slice(answer.indexOf(' ') + 1)) : [...answers];
}

/** The verdict over all resolvers' answers. */
export function compareResolverAnswers(
  type: DnsRecordType,
  results: readonly ResolverAnswer[],
): Pick<ProbeReport, 'outcome' | 'error' | 'errorDetail'> {
  const answered = results.filter((result) => result.answers !== null && result.answers.length > 0);
  const failed = results.filter((result) => result.error !== null);
  if (answered.length === 0) {
    const first = failed[0];
    return {
      outcome: 'down',
      error: first?.error ?? 'DNS_ERROR',
      errorDetail: failed.map((result) => result.detail).join('; ') || 'no resolver answered',
    };
  }
  if (failed.length > 0) {
    const first = failed[0];
    return {
      outcome: 'degraded',
      error: first?.error ?? 'DNS_ERROR',
      errorDetail: `${failed.length} of ${results.length} resolvers failed: ${failed.map((result) => result.detail).join('; ')}`,
    };
  }
  for (let i = 0; i < answered.length; i++) {
    for (let j = i + 1; j < answered.length; j++) {
      const a = answered[i];
      const b = answered[j];
      if (a && b && !overlaps(comparable(type, a.answers ?? []), comparable(type, b.answers ?? []))) {
        return {
          outcome: 'degraded',
          error: 'DNS_MISMATCH',
          errorDetail: `${a.resolver} and ${b.resolver} returned disjoint answers`,
        };
      }
    }
  }
  return { outcome: 'up', error: null, errorDetail: null };
}

export async function probeDns(target: DnsTarget, ctx: ProbeContext): Promise<ProbeReport> {
  const start = ctx.now();
  const results = await Promise.all(target.resolvers.map((spec) => queryResolver(target, spec, ctx)));
  const phases = createEmptyPhases();
  const slowest = Math.max(...results.map((result) => result.ms));
  phases.dnsMs = slowest;
  phases.totalMs = roundMs(ctx.now() - start);
  const verdict = compareResolverAnswers(target.type, results);
  const observations: Record<string, Observation> = {};
  const firstAnswered = results.find((result) => result.answers !== null && result.answers.length > 0);
  if (firstAnswered?.answers) {
    observations.answers = [...firstAnswered.answers].sort().join(', ').slice(0, 300);
    observations.answerCount = firstAnswered.answers.length;
  }
  for (const result of results) {
    observations[`resolver ${result.resolver}`] =
      result.error ?? `ok ${result.answers?.length ?? 0} in ${result.ms} ms`;
  }
  return {
    ...verdict,
    latencyMs: verdict.outcome === 'down' ? null : slowest,
    phases,
    observations,
    aborted: ctx.signal.aborted,
  };
}
