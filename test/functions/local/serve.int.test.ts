/**
 * End to end: the local runner as a child process (`crosswatch serve` from the TypeScript sources),
 * real Service Health payloads POSTed over HTTP — each twice, and the same updates from two
 * subscriptions — a file sink as the destination, then SIGTERM: the process exits 0 and every
 * accepted input was processed and delivered exactly once per notification.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRunner as startRunner } from '../../helpers/spawn-runner.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const TOKEN = 'e2e-token-0123456789abcdef0123';

function fixture(path: string): Promise<string> {
  return readFile(join(ROOT, 'test/fixtures', path), 'utf8');
}

function replaceSubscription(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.split(from).join(to);
}

async function post(url: string, body: string, token = TOKEN): Promise<number> {
  const response = await fetch(`${url}/api/service-health?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** A chunked upload with no Content-Length; resolves with the status the server answered. */
function postChunked(url: string, chunks: number, chunkBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(`${url}/api/service-health?token=${TOKEN}`);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    // The server answers and closes before the upload ends: write errors after the answer are expected.
    req.on('error', (error) => reject(error));
    req.setHeader('content-type', 'application/json');
    req.setHeader('transfer-encoding', 'chunked');
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

interface StatusBody {
  openIncidents: { incidentKey: string }[];
  inbox: { pending: number };
}

async function readStatus(url: string): Promise<StatusBody> {
  const response = await fetch(`${url}/api/status`);
  expect(response.status).toBe(200);
  return (await response.json()) as StatusBody;
}

interface NotificationLine {
  deliveryId: string;
  message: { decisionKind: string; incidentKey: string };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-serve-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('crosswatch serve (local runner) end to end', () => {
  it('turns duplicated Service Health payloads from 2 subscriptions into exactly the expected notifications, and SIGTERM loses nothing', async () => {
    const sinkPath = join(dir, 'notifications.jsonl');
    const configPath = join(dir, 'crosswatch.config.json');
    const dataDir = join(dir, 'data');
    await writeFile(
      configPath,
      JSON.stringify({
        $schema: join(ROOT, 'schema/crosswatch-config.schema.json'),
        probes: { enabled: false },
        webhook: { tokens: [TOKEN], maxBodyBytes: 262144 },
        notify: { sinks: [{ kind: 'file', name: 'file', path: sinkPath }] },
        log: { level: 'info', format: 'json' },
      }),
    );

    const resolvedA = await fixture('azure-monitor-common/test-action-service-health-incident-resolved.json');
    const resolvedB = replaceSubscription(
      resolvedA,
      'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e',
      'bbbb1b1b-cc2c-dd3d-ee4e-ffffff5f5f5f',
    );
    const activeC = await fixture('azure-activity-log-webhook/service-health-incident-active.json');
    const activeD = replaceSubscription(
      activeC,
      'cccc2c2c-dd3d-ee4e-ff5f-aaaaaa6a6a6a',
      'dddd3d3d-ee4e-ff5f-aa6a-bbbbbb7b7b7b',
    );
    const maintenance = await fixture(
      'azure-monitor-common/alert-context-service-health-maintenance-planned.json',
    );
    const resourceHealth = await fixture('azure-monitor-common/test-action-resource-health.json');

    const runner = await startRunner(configPath, dataDir);
    try {
      expect((await fetch(`${runner.url}/healthz`)).status).toBe(200);

      // Refusals: nothing of these may ever reach the sink.
      expect(await post(runner.url, resolvedA, 'wrong-token')).toBe(401);
      expect(await post(runner.url, '{"not json')).toBe(400);
      expect(await postChunked(runner.url, 64, 16 * 1024)).toBe(413);
      expect(await post(runner.url, `"${'x'.repeat(10 * 1024 * 1024)}"`)).toBe(413);

      // Phase 1: each payload twice, concurrently.
      const first = await Promise.all(
        [resolvedA, resolvedA, activeC, activeC, maintenance, maintenance].map((body) =>
          post(runner.url, body),
        ),
      );
      expect(first).toEqual([202, 202, 202, 202, 202, 202]);
      let status = await readStatus(runner.url);
      while (status.inbox.pending > 0 || status.openIncidents.length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await readStatus(runner.url);
      }
      expect(status.openIncidents.map((incident) => incident.incidentKey).sort()).toEqual(
        ['azure:0NIH-U2O', 'azure:<GUID>'].sort(),
      );

      // Phase 2: the same updates from the second subscriptions, a new Resource Health alert, then
      // SIGTERM right away: shutdown must process and deliver what was accepted.
      const second = await Promise.all(
        [resolvedB, activeD, resourceHealth, resourceHealth].map((body) => post(runner.url, body)),
      );
      expect(second).toEqual([202, 202, 202, 202]);
      runner.child.kill('SIGTERM');
      const [code] = (await once(runner.child, 'exit')) as [number | null];
      expect(code, runner.output()).toBe(0);
    } finally {
      if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
    }

    const lines = (await readFile(sinkPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as NotificationLine);
    expect(lines.map((line) => `${line.message.decisionKind} ${line.message.incidentKey}`).sort()).toEqual(
      [
        'resolve azure:TEST-TTT',
        'open azure:0NIH-U2O',
        'open azure:<GUID>',
        'open azure-resource:/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourcegroups/test-rg/providers/microsoft.compute/virtualmachines/test-vm',
      ].sort(),
    );
    expect(new Set(lines.map((line) => line.deliveryId)).size).toBe(lines.length);

    // Every accepted input is settled, none pending: the 6 distinct bodies of both phases (a body
    // posted again is a row of its own, appended, and settled with the first).
    const inbox = new Database(join(dataDir, 'inbox.db'), { readonly: true });
    try {
      const rows = inbox.prepare('SELECT state, count(DISTINCT id) AS n FROM inbox GROUP BY state').all() as {
        state: string;
        n: number;
      }[];
      expect(rows).toEqual([{ state: 'processed', n: 6 }]);
    } finally {
      inbox.close();
    }
  });
});
