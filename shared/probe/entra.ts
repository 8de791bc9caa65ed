/**
 * Entra ID (identity plane) probe: the tenant's OpenID discovery document and the JWKS it points
 * to. Healthy means the document parsed, names an `issuer` and a `jwks_uri`, and the key set holds at
 * least one key: what every sign-in and token validation needs.
 */
import type { ProbeErrorCode } from '../event/vocabulary.ts';
import { evaluateHttpExchange, performHttpExchange } from './http.ts';
import {
  type Observation,
  type ProbeContext,
  ProbeFailure,
  type ProbeReport,
  reportFailure,
  roundMs,
} from './probe-types.ts';
import type { EntraTarget } from './target-types.ts';

const MAX_DOCUMENT_BYTES = 512 * 1024;

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function probeEntra(target: EntraTarget, ctx: ProbeContext): Promise<ProbeReport> {
  const start = ctx.now();
  const observations: Record<string, Observation> = {};
  const invalid = (base: ProbeReport, error: ProbeErrorCode, errorDetail: string): ProbeReport => ({
    ...base,
    outcome: 'down',
    error,
    errorDetail,
    latencyMs: null,
    observations: { ...base.observations, ...observations },
  });
  try {
    const discovery = await performHttpExchange(
      {
        url: target.url,
        maxBodyBytes: MAX_DOCUMENT_BYTES,
        ca: target.ca,
        headers: { accept: 'application/json' },
      },
      ctx,
      start,
    );
    const first = evaluateHttpExchange(discovery, { status: [200] });
    if (first.outcome !== 'up') return first;
    const document = parseJson(discovery.body);
    if (!isRecord(document))
      return invalid(first, 'ENTRA_DISCOVERY_INVALID', 'discovery document is not a JSON object');
    const issuer = document.issuer;
    const jwksUri = document.jwks_uri;
    if (typeof issuer !== 'string' || issuer === '') {
      return invalid(first, 'ENTRA_DISCOVERY_INVALID', 'discovery document has no issuer');
    }
    observations.issuer = issuer.slice(0, 200);
    if (typeof jwksUri !== 'string' || !/^https?:\/\//i.test(jwksUri)) {
      return invalid(first, 'ENTRA_DISCOVERY_INVALID', 'discovery document has no http(s) jwks_uri');
    }
    observations.jwksHost = new URL(jwksUri).host;
    const keys = await performHttpExchange(
      {
        url: jwksUri,
        maxBodyBytes: MAX_DOCUMENT_BYTES,
        ca: target.ca,
        headers: { accept: 'application/json' },
      },
      ctx,
      start,
    );
    const second = evaluateHttpExchange(keys, { status: [200] });
    const phases = { ...discovery.phases, totalMs: roundMs(ctx.now() - start) };
    const merged: ProbeReport = {
      ...second,
      phases,
      observations: { ...first.observations, ...observations },
    };
    if (second.outcome !== 'up') return { ...merged, latencyMs: null };
    const set = parseJson(keys.body);
    const list = isRecord(set) && Array.isArray(set.keys) ? set.keys : undefined;
    if (list === undefined) return invalid(merged, 'ENTRA_NO_KEYS', 'JWKS document has no keys array');
    observations.keyCount = list.length;
    if (list.length === 0) return invalid(merged, 'ENTRA_NO_KEYS', 'JWKS document holds no keys');
    const result: ProbeReport = {
      ...merged,
      latencyMs: phases.totalMs,
      observations: { ...merged.observations, ...observations },
    };
    if (target.maxLatencyMs !== undefined && phases.totalMs > target.maxLatencyMs) {
      return {
        ...result,
        outcome: 'degraded',
        error: 'HTTP_SLOW',
        errorDetail: `${phases.totalMs} ms, expected at most ${target.maxLatencyMs} ms`,
      };
    }
    return result;
  } catch (error) {
    if (error instanceof ProbeFailure) return reportFailure(error, observations);
    throw error;
  }
}
