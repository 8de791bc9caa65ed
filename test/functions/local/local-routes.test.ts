/**
 * The local runner's webhook route end to end (`crosswatch serve` in-process, real HTTP on
 * loopback, the real SQLite inbox, pipeline and SQLite evidence archive):
 * - an Entra secure-webhook token while the tenant's JWKS (a loopback server) errors is answered
 *   503 with Retry-After, not 401; once keys were fetched, a JWKS outage still accepts valid tokens
 *   and refuses bad ones with 401;
 * - a body that is not valid UTF-8 is kept byte for byte: the inbox row and the archived evidence
 *   are exactly the bytes posted, and hash to the id the 202 names.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServeCommand } from '../../../cli/serve-command.ts';
import type { LocalRunner } from '../../../functions/local/local-runner.ts';
import { createSqliteEvidenceArchive } from '../../../shared/store/evidence-sqlite.ts';
import { AZNS_WEBHOOK_APP_ID } from '../../../shared/webhook/entra-webhook-token.ts';
import { captureIo } from '../../helpers/cli-harness.ts';
import {
  createEntraKeys,
  ENTRA_CLIENT_ID,
  ENTRA_TENANT,
  type EntraKeys,
  startJwksServer,
} from '../../helpers/entra-jwks.ts';

const TOKEN = 'local-routes-test-token-0123456789';
const FIXTURE = new URL(
  '../../fixtures/azure-activity-log-webhook/service-health-incident-active.json',
  import.meta.url,
);

let dir: string;
let clock: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-routes-'));
  clock = Date.parse('2026-01-22T10:00:00.000Z');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `crosswatch serve --port 0 --no-probes` in `dir` with the test's clock; resolves once it listens. */
async function startServe(config: unknown) {
  await writeFile(join(dir, 'crosswatch.config.json'), JSON.stringify(config));
  const harness = captureIo();
  const stop = new AbortController();
  let ready: (runner: LocalRunner) => void = () => undefined;
  const started = new Promise<LocalRunner>((resolve) => {
    ready = resolve;
  });
  const exit = runServeCommand(
    ['--port', '0', '--no-probes'],
    { ...harness.io, now: () => new Date(clock) },
    { version: 'test', signal: stop.signal, onReady: (runner) => ready(runner), cwd: dir },
  );
  // A runner that cannot start exits instead of becoming ready: fail with what it printed.
  const runner = await Promise.race([
    started,
    exit.then((code) => {
      throw new Error(`crosswatch serve exited with ${code}: ${harness.stderr()}${harness.stdout()}`);
    }),
  ]);
  return { harness, stop, exit, runner };
}

describe('local runner: Entra secure webhook while the JWKS is unavailable', () => {
  let keys: EntraKeys;

  beforeEach(async () => {
    keys ??= await createEntraKeys();
  });

  it('answers 503 with Retry-After while no keys can be fetched, then 202, 202 through an outage, and 401 to a bad token', async () => {
    const jwks = await startJwksServer(keys);
    const { stop, exit, runner } = await startServe({
      webhook: {
        tokens: [TOKEN],
        entra: {
          tenantId: ENTRA_TENANT,
          audience: [`api://${ENTRA_CLIENT_ID}`],
          allowedAppIds: [AZNS_WEBHOOK_APP_ID],
          jwksUrl: jwks.jwksUrl,
        },
      },
    });
    const body = await readFile(FIXTURE);
    const post = async (token: string) =>
      fetch(`${runner.info.url}/api/service-health`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
    try {
      jwks.mode = 'http-500';
      const refused = await post(await keys.signToken(new Date(clock)));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(jwks.requests).toBe(1);

      jwks.mode = 'keys';
      clock += 6000;
      const accepted = await post(await keys.signToken(new Date(clock)));
      expect(accepted.status).toBe(202);

      // The JWKS goes away for two hours: the cached keys still verify, and still refuse.
      await jwks.close();
      clock += 2 * 60 * 60_000;
      expect((await post(await keys.signToken(new Date(clock), { jti: 'during-outage' }))).status).toBe(202);
      const forged = await post(await keys.signToken(new Date(clock), {}, { key: 'stranger' }));
      expect(forged.status).toBe(401);
      expect(forged.headers.get('retry-after')).toBeNull();
    } finally {
      stop.abort();
      await jwks.close();
    }
    expect(await exit).toBe(0);
  });
});

describe('local runner: a body that is not valid UTF-8', () => {
  it('stores and archives exactly the bytes received', async () => {
    const text = (await readFile(FIXTURE, 'utf8')).replace(
      '"Active: Virtual Machines - Australia East"',
      '"Active: Virtual Machines - Australia East (Montréal café)"',
    );
    // Latin-1: "é" is the single byte 0xE9, which is not valid UTF-8.
    const posted = Buffer.from(text, 'latin1');
    expect(posted.includes(0xe9)).toBe(true);
    const hex = createHash('sha256').update(posted).digest('hex');

    const { harness, stop, exit, runner } = await startServe({ webhook: { tokens: [TOKEN] } });
    try {
      const response = await fetch(`${runner.info.url}/api/service-health?token=${TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: posted,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ status: 'accepted', id: `sha256:${hex}` });
    } finally {
      // A graceful stop processes every accepted input before it exits.
      stop.abort();
    }
    expect(await exit).toBe(0);
    // It was processed, not rejected: the console sink printed the incident.
    expect(harness.stdout()).toContain('"incidentKey":"azure:');

    const data = join(dir, '.crosswatch');
    const db = new Database(join(data, 'inbox.db'), { readonly: true });
    try {
      const row = db
        .prepare<[string], { body: unknown; state: string }>('SELECT body, state FROM inbox WHERE id = ?')
        .get(`sha256:${hex}`);
      expect(row?.state).toBe('processed');
      expect(row?.body).toEqual(posted);
    } finally {
      db.close();
    }
    const archive = createSqliteEvidenceArchive({ path: join(data, 'evidence.db') });
    try {
      const evidence = await archive.get(`sha256:${hex}`);
      expect(Buffer.from(evidence?.bytes ?? []).equals(posted)).toBe(true);
      expect(evidence?.record).toMatchObject({
        bytes: posted.byteLength,
        kind: 'input:azure-activity-log-webhook',
      });
    } finally {
      await archive.close();
    }
  });
});
