/**
 * pollResourceHealth through the real @azure/arm-resourcehealth client against a loopback HTTPS
 * server emulating ARM (the SDK's bearer policy refuses plain http). The credential is a fake
 * TokenCredential object: a protocol-level stand-in (the server checks the bearer it hands out), not
 * a module mock.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollResourceHealth } from '../../../shared/poll/resource-health.ts';
import { type Loopback, startHttpsServer } from '../../helpers/loopback-servers.ts';
import { createTestCa } from '../../helpers/test-ca.ts';

const example = JSON.parse(
  readFileSync(
    new URL(
      '../../fixtures/azure-resource-health-api/events-list-by-subscription-example.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as { responses: { 200: { body: { value: Record<string, unknown>[] } } } };
const [first] = example.responses[200].body.value;
if (!first) throw new Error('fixture has no event');
const second = {
  ...first,
  id: '/providers/Microsoft.ResourceHealth/events/KT_2-ABC',
  name: 'KT_2-ABC',
  properties: { ...(first.properties as object), title: 'ACTIVE: Storage in East US', status: 'Active' },
};

const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';
const TOKEN = 'loopback-arm-token';

function fakeCredential(scopes: string[]): TokenCredential {
  return {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

let server: Loopback;
let ca: string;
let mode: 'ok' | 'unavailable' = 'ok';
const seen: { url: string; authorization: string | undefined }[] = [];

function reply(request: IncomingMessage): { status: number; body: unknown } {
  const url = new URL(request.url ?? '/', server.url);
  const base = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.ResourceHealth/events`;
  if (request.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, body: { error: 'no' } };
  if (mode === 'unavailable') return { status: 503, body: { error: { code: 'ServiceUnavailable' } } };
  if (url.pathname !== base) return { status: 404, body: {} };
  if (url.searchParams.get('$skipToken') === 'page2') return { status: 200, body: { value: [second] } };
  return {
    status: 200,
    body: { value: [first], nextLink: `${server.url}${base}?api-version=2022-10-01&$skipToken=page2` },
  };
}

beforeAll(async () => {
  const testCa = await createTestCa();
  ca = testCa.cert;
  const leaf = await testCa.issue();
  server = await startHttpsServer({ cert: leaf.cert, key: leaf.key }, (request, response) => {
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
    const { status, body } = reply(request);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
});
afterAll(() => server.close());
afterEach(() => {
  seen.length = 0;
  mode = 'ok';
});

describe('pollResourceHealth against a loopback ARM endpoint', () => {
  it('follows nextLink and normalizes every event, with the ARM scope token', async () => {
    const scopes: string[] = [];
    const result = await pollResourceHealth({
      subscriptionIds: [SUBSCRIPTION],
      credential: fakeCredential(scopes),
      endpoint: server.url,
      ca,
      now: () => new Date('2026-11-29T12:00:00Z'),
    });
    expect(result.status).toEqual({ reachable: true });
    expect(result.source).toBe('azure-resource-health');
    expect(result.events.map((event) => event.data.incidentKey).sort()).toEqual([
      'azure:BC_1-FXZ',
      'azure:KT_2-ABC',
    ]);
    expect(result.events.every((event) => event.data.origin === 'azure-resource-health-api')).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.url).toContain('$skipToken=page2');
    expect(scopes).toContain(`${server.url}/.default`);
  });

  it('reports the source unreachable with the HTTP status when ARM answers 503', async () => {
    mode = 'unavailable';
    const result = await pollResourceHealth({
      subscriptionIds: [SUBSCRIPTION],
      credential: fakeCredential([]),
      endpoint: server.url,
      ca,
      maxRetries: 0,
    });
    expect(result.status).toEqual({ reachable: false, reason: 'HTTP 503' });
    expect(result.events).toEqual([]);
  });

  it('reports a refused connection as unreachable without throwing', async () => {
    const result = await pollResourceHealth({
      subscriptionIds: [SUBSCRIPTION],
      credential: fakeCredential([]),
      endpoint: 'https://127.0.0.1:1',
      ca,
      maxRetries: 0,
    });
    expect(result.status.reachable).toBe(false);
    expect(result.status).toMatchObject({ reason: expect.stringMatching(/ECONNREFUSED|RestError/) });
  });
});
