/**
 * pollGraphServiceHealth against a loopback HTTP server emulating Microsoft Graph's
 * `/admin/serviceAnnouncement/issues` with `@odata.nextLink` paging, using the global fetch. The
 * credential is a fake TokenCredential object (a protocol-level stand-in: the server checks the
 * bearer), not a module mock.
 */
import { readFileSync } from 'node:fs';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_SCOPE, pollGraphServiceHealth } from '../../../shared/poll/graph-service-health.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const list = JSON.parse(
  readFileSync(new URL('../../fixtures/m365-graph/issues-list-response.json', import.meta.url), 'utf8'),
) as { value: Record<string, unknown>[] };
const [issue] = list.value;
if (!issue) throw new Error('fixture has no issue');
const secondIssue = { ...issue, id: 'MO226999', title: 'Teams meetings fail to start' };
const TOKEN = 'loopback-graph-token';

function credential(scopes: string[]): TokenCredential {
  return {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

let server: Loopback;
let mode: 'ok' | 'throttled' | 'foreign' = 'ok';
const requests: { path: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = await startHttpServer((request, response) => {
    requests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const url = new URL(request.url ?? '/', server.url);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return send(401, {});
    if (mode === 'throttled') return send(429, { error: { code: 'TooManyRequests' } });
    if (url.pathname !== '/v1.0/admin/serviceAnnouncement/issues') return send(404, {});
    if (url.searchParams.get('$skip') === '1') return send(200, { value: [secondIssue] });
    const next =
      mode === 'foreign'
        ? 'http://127.0.0.2:9/v1.0/admin/serviceAnnouncement/issues?$skip=1'
        : `${server.url}/v1.0/admin/serviceAnnouncement/issues?$skip=1`;
    return send(200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues',
      '@odata.nextLink': next,
      value: [issue],
    });
  });
});
afterAll(() => server.close());
afterEach(() => {
  requests.length = 0;
  mode = 'ok';
});

describe('pollGraphServiceHealth against a loopback Graph endpoint', () => {
  it('pages through @odata.nextLink and normalizes every issue with a Graph-scoped token', async () => {
    const scopes: string[] = [];
    const result = await pollGraphServiceHealth({
      credential: credential(scopes),
      baseUrl: `${server.url}/v1.0`,
      modifiedSince: new Date('2026-11-28T00:00:00Z'),
    });
    expect(result.status).toEqual({ reachable: true });
    expect(result.events.map((event) => event.data.incidentKey).sort()).toEqual([
      'm365:EX226792',
      'm365:MO226999',
    ]);
    expect(scopes).toEqual([GRAPH_SCOPE]);
    expect(requests).toHaveLength(2);
    expect(decodeURIComponent(requests[0]?.path ?? '')).toContain(
      '$filter=lastModifiedDateTime ge 2026-11-28T00:00:00.000Z',
    );
    expect(result.notices.some((notice) => notice.includes('nextLink'))).toBe(false);
  });

  it('reports HTTP 429 as unreachable with the status only', async () => {
    mode = 'throttled';
    const result = await pollGraphServiceHealth({
      credential: credential([]),
      baseUrl: `${server.url}/v1.0`,
    });
    expect(result.status).toEqual({ reachable: false, reason: 'HTTP 429' });
    expect(result.events).toEqual([]);
  });

  it('never sends the token to a nextLink outside the Graph origin', async () => {
    mode = 'foreign';
    const result = await pollGraphServiceHealth({
      credential: credential([]),
      baseUrl: `${server.url}/v1.0`,
    });
    expect(result.status).toEqual({ reachable: false, reason: 'ForeignNextLinkError' });
    expect(requests).toHaveLength(1);
  });

  it('reports a credential failure as unreachable without leaking its message', async () => {
    const failing: TokenCredential = {
      async getToken() {
        throw Object.assign(new Error('AADSTS7000215: Invalid client secret s3cr3t-value'), {
          name: 'AuthenticationError',
        });
      },
    };
    const result = await pollGraphServiceHealth({ credential: failing, baseUrl: `${server.url}/v1.0` });
    expect(result.status).toEqual({ reachable: false, reason: 'AuthenticationError' });
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    expect(requests).toHaveLength(0);
  });
});
