/**
 * Polls Microsoft 365 service health issues from Microsoft Graph
 * (`GET /admin/serviceAnnouncement/issues`, permission ServiceHealth.Read.All) with a token from any
 * TokenCredential, following `@odata.nextLink` page by page. `fetch` is injected. The bearer token is
 * sent only to the configured Graph origin: a nextLink pointing anywhere else stops the poll.
 */
import type { TokenCredential } from '@azure/identity';
import { m365GraphFormat } from '../ingest/m365-graph.ts';
import { computeEvidence } from '../ingest/normalize.ts';
import { isRecord } from '../util/read.ts';
import { HEALTH_SOURCES, type PollResult, SourceHttpError, unreachable } from './poll-result.ts';

export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphPollOptions {
  readonly credential: TokenCredential;
  readonly fetch?: typeof fetch;
  /** Default https://graph.microsoft.com/v1.0 (national clouds and tests change it). */
  readonly baseUrl?: string;
  /** Only issues modified since this instant (`$filter=lastModifiedDateTime ge …`). */
  readonly modifiedSince?: Date;
  /** Stops after this many pages (default 50) with a notice. */
  readonly maxPages?: number;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

/** The nextLink points outside the configured Graph origin (the token must not follow it). */
export class ForeignNextLinkError extends Error {
  override name = 'ForeignNextLinkError';
}

export async function pollGraphServiceHealth(options: GraphPollOptions): Promise<PollResult> {
  const source = HEALTH_SOURCES.m365Graph;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const baseUrl = (options.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, '');
  const origin = new URL(baseUrl).origin;
  const maxPages = options.maxPages ?? 50;
  const notices: string[] = [];
  try {
    const signal = AbortSignal.any([
      AbortSignal.timeout(options.timeoutMs ?? 30_000),
      ...(options.signal ? [options.signal] : []),
    ]);
    const token = await options.credential.getToken(GRAPH_SCOPE, { abortSignal: signal });
    if (!token) throw new Error('the credential returned no token');
    // %20, not `+`: OData filters are read with percent-decoding.
    const filter = options.modifiedSince
      ? `?$filter=${encodeURIComponent(`lastModifiedDateTime ge ${options.modifiedSince.toISOString()}`)}`
      : '';
    const items: unknown[] = [];
    let next: string | undefined = `${baseUrl}/admin/serviceAnnouncement/issues${filter}`;
    let pages = 0;
    while (next !== undefined) {
      if (pages >= maxPages) {
        notices.push(`stopped after ${maxPages} pages; the rest is read on the next poll`);
        break;
      }
      const response = await doFetch(next, {
        headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' },
        redirect: 'error',
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new SourceHttpError(response.status, 'Microsoft Graph');
      }
      const page: unknown = await response.json();
      pages += 1;
      if (!isRecord(page) || !Array.isArray(page.value)) {
        throw new SourceHttpError(response.status, 'Microsoft Graph (no value list)');
      }
      items.push(...page.value);
      const link = page['@odata.nextLink'];
      next = typeof link === 'string' && link !== '' ? link : undefined;
      if (next !== undefined && new URL(next).origin !== origin) {
        throw new ForeignNextLinkError('@odata.nextLink leaves the Graph origin');
      }
    }
    const document = { value: items };
    const result = m365GraphFormat.normalize(document, {
      receivedAt: now().toISOString(),
      evidence: computeEvidence(Buffer.from(JSON.stringify(document), 'utf8')),
    });
    return {
      source,
      status: { reachable: true },
      events: result.events,
      notices: [...notices, ...result.notices.filter((notice) => !notice.includes('nextLink'))],
    };
  } catch (error) {
    return unreachable(source, error, notices);
  }
}
