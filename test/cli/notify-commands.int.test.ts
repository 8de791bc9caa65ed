/**
 * The notify commands end to end through runCli: `route --explain` on a recorded Service Health
 * payload, `deliveries` and `redrive` on a real SQLite data directory, and `send-test` through the
 * console sink and through the real Slack sink to a loopback Slack emulator. Errors are one line
 * with exit 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/cli-io.ts';
import { runCli } from '../../cli/main.ts';
import { openDataStore } from '../../cli/open-data-store.ts';
import { enqueueNotifications } from '../../shared/notify/enqueue-notifications.ts';
import { createOutboxWorker } from '../../shared/notify/outbox-worker.ts';
import { captureIo } from '../helpers/cli-harness.ts';
import { startHttpServer } from '../helpers/loopback-servers.ts';
import {
  answerInTurn,
  buildDecision,
  buildTestMessage,
  createFakeClock,
  createScriptedSink,
  DELIVERED,
  routeAllTo,
} from '../helpers/outbox-fixtures.ts';

const FIXTURE = fileURLToPath(
  new URL(
    '../fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json',
    import.meta.url,
  ),
);
const root = mkdtempSync(join(tmpdir(), 'crosswatch-notify-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const newPath = (name: string) => join(root, `${++files}-${name}`);

function writeConfig(notify: unknown): string {
  const path = newPath('crosswatch.config.json');
  writeFileSync(path, JSON.stringify({ engine: {}, notify }));
  return path;
}

/** captureIo, with no crosswatch.config.json in the working directory whatever the checkout holds. */
function harness() {
  const captured = captureIo();
  const io: CliIo = {
    ...captured.io,
    readFile: (path) =>
      path === 'crosswatch.config.json'
        ? Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))
        : readFile(path),
  };
  return { ...captured, io };
}

async function run(args: string[]) {
  const h = harness();
  const code = await runCli(args, h.io);
  return { code, stdout: h.stdout(), stderr: h.stderr() };
}

const SINKS = [
  { name: 'slack', kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/SENTINELSECRET' },
  { name: 'sms', kind: 'console' },
  { name: 'log', kind: 'console' },
];

describe('crosswatch route --explain', () => {
  const config = writeConfig({
    sinks: SINKS,
    routes: [
      { name: 'maintenance', match: { categories: ['maintenance'] }, sinks: ['log'] },
      {
        name: 'azure-resolved',
        match: { providers: ['azure'], decisionKinds: ['resolve'] },
        sinks: ['slack'],
        fallback: ['sms'],
      },
    ],
    defaultRoute: { sinks: ['log'] },
  });

  it('shows each rule, why it matched or not, and where the notification goes', async () => {
    const { code, stdout, stderr } = await run(['route', '--explain', FIXTURE, '--config', config]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^event azure:/);
    expect(stdout).toContain('kind=resolve provider=azure category=incident status=resolved');
    expect(stdout).toContain('maintenance: NOT-MATCHED → [log]');
    expect(stdout).toContain('- category "incident" is not one of [maintenance]');
    expect(stdout).toContain('azure-resolved: MATCHED → [slack]');
    expect(stdout).toContain('- decision kind "resolve" is one of [resolve]');
    expect(stdout).toContain('default route: not used');
    expect(stdout).toContain('sends to: slack (azure-resolved; fallback sms)');
    expect(stdout).not.toContain('SENTINELSECRET');
  });

  it('prints JSON and takes the decision kind to assume', async () => {
    const { code, stdout } = await run([
      'route',
      '--explain',
      FIXTURE,
      '--config',
      config,
      '--kind',
      'update',
      '--json',
    ]);
    expect(code).toBe(0);
    const explanation = JSON.parse(stdout.trim()) as { defaultUsed: boolean; routed: unknown[] };
    expect(explanation.defaultUsed).toBe(true);
    expect(explanation.routed).toEqual([{ sink: 'log', rule: 'default', fallback: [] }]);
  });

  it('uses a console sink and a default route to it with no config', async () => {
    const { code, stdout } = await run(['route', '--explain', FIXTURE]);
    expect(code).toBe(0);
    expect(stdout).toContain('default route: USED (no rule matched)');
    expect(stdout).toContain('sends to: console (default)');
  });

  it('fails with one line for bad usage, a bad config and a missing file', async () => {
    const missing = await run(['route']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(
      'crosswatch: route: give --explain EVENT_FILE (see crosswatch route --help)\n',
    );
    const bad = writeConfig({ sinks: SINKS, routes: [{ sinks: ['pager'] }] });
    const badConfig = await run(['route', '--explain', FIXTURE, '--config', bad]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toBe(
      `crosswatch: route: ${bad}: notify.routes[0].sinks[0]: unknown sink "pager" (configured: slack, sms, log)\n`,
    );
    const noFile = await run(['route', '--explain', join(root, 'nope.json')]);
    expect(noFile).toMatchObject({ code: 2 });
    expect(noFile.stderr).toMatch(/^crosswatch: route: .*nope\.json: no such file\n$/);
    const badKind = await run(['route', '--explain', FIXTURE, '--kind', 'explode']);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr.split('\n')).toHaveLength(2);
  });
});

describe('crosswatch deliveries and redrive', () => {
  async function seed() {
    const dir = newPath('data');
    const data = await openDataStore(dir);
    const clock = createFakeClock();
    const ok = buildDecision({ provider: 'azure' });
    const bad = buildDecision({ provider: 'aws' });
    await enqueueNotifications([ok, bad], {
      store: data.store,
      routing: routeAllTo(['hook']),
      now: clock.now,
      buildMessage: (decision) => buildTestMessage(decision),
    });
    const hook = createScriptedSink(
      'hook',
      clock,
      answerInTurn(DELIVERED, { outcome: 'permanent', status: 410, detail: 'HTTP 410 Gone' }),
    );
    await createOutboxWorker({
      store: data.store,
      sinks: [hook],
      now: clock.now,
      sleep: clock.sleep,
    }).drain();
    await data.close();
    return { dir, okId: `${ok.id}:hook`, deadId: `${bad.id}:hook` };
  }

  it('lists deliveries, dead letters and their reasons', async () => {
    const { dir, okId, deadId } = await seed();
    const all = await run(['deliveries', '--data', dir]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+SINK\s+ATTEMPTS\s+QUEUED\s+ID\s+DETAIL$/);
    expect(all.stdout).toContain(okId);
    expect(all.stdout).toMatch(
      new RegExp(
        `dead\\s+hook\\s+1\\s+\\S+\\s+${deadId}\\s+dead: permanent failure: permanent \\(410\\): HTTP 410 Gone`,
      ),
    );
    expect(lines.at(-1)).toBe('2 deliveries: 1 delivered, 0 pending, 1 dead');
    const dead = await run(['deliveries', '--dead', '--json', '--data', dir]);
    const records = dead.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; status: string });
    expect(records.map((record) => [record.id, record.status])).toEqual([[deadId, 'dead']]);
  });

  it('redrives one dead letter by id, or all of them, and refuses what is not dead', async () => {
    const { dir, okId, deadId } = await seed();
    const notDead = await run(['redrive', okId, '--data', dir]);
    expect(notDead.code).toBe(2);
    expect(notDead.stderr).toBe(
      `crosswatch: redrive: delivery ${okId} is delivered, not dead: only dead letters are redriven\n`,
    );
    const unknown = await run(['redrive', 'nope:hook', '--data', dir]);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'crosswatch: redrive: delivery nope:hook does not exist\n',
    });
    const one = await run(['redrive', deadId, '--data', dir]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`redriven ${deadId} (hook)\n1 delivery re-queued\n`);
    const pending = await run(['deliveries', '--pending', '--data', dir]);
    expect(pending.stdout.trim().split('\n').at(-1)).toBe(
      '1 pending deliveries: 0 delivered, 1 pending, 0 dead',
    );
    const none = await run(['redrive', '--all-dead', '--data', dir]);
    expect(none.stdout).toBe('0 deliveries re-queued\n');
  });

  it('--send delivers the redriven letters through the configured sink now', async () => {
    const { dir, deadId } = await seed();
    const out = newPath('notifications.jsonl');
    const config = writeConfig({ sinks: [{ name: 'hook', kind: 'file', path: out }] });
    const sent = await run(['redrive', '--all-dead', '--send', '--config', config, '--data', dir]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain(`redriven ${deadId} (hook)`);
    expect(sent.stdout).toContain('sent: 1 delivered, 0 to retry, 0 dead');
    expect(readFileSync(out, 'utf8')).toContain(deadId.split(':')[0]);
    const after = await run(['deliveries', '--data', dir]);
    expect(after.stdout.trim().split('\n').at(-1)).toBe('2 deliveries: 2 delivered, 0 pending, 0 dead');
  });

  it('rejects bad usage with one line', async () => {
    const both = await run(['redrive', 'x', '--all-dead']);
    expect(both).toMatchObject({
      code: 2,
      stderr:
        'crosswatch: redrive: give delivery ids or --all-dead, not both (see crosswatch redrive --help)\n',
    });
    const flags = await run(['deliveries', '--dead', '--pending']);
    expect(flags.code).toBe(2);
    const unknownFlag = await run(['deliveries', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/^crosswatch: deliveries: .*bogus.*\n$/);
  });
});

describe('crosswatch send-test', () => {
  it('sends a sample through the default console sink', async () => {
    const { code, stdout, stderr } = await run(['send-test', '--sink', 'console']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('crosswatch test notification');
    expect(stdout).toContain('send-test: console (console): delivered');
  });

  it('sends through the real Slack sink to a loopback Slack and prints its answer', async () => {
    const bodies: string[] = [];
    let status = 200;
    const server = await startHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status === 200 ? 'ok' : 'channel_not_found');
      });
    });
    try {
      const config = writeConfig({
        sinks: [
          {
            name: 'ops',
            kind: 'slack',
            url: `${server.url}/services/T0/B0/SENTINELSECRET`,
            allowInsecure: true,
            allowPrivate: true,
          },
        ],
      });
      const ok = await run(['send-test', '--sink', 'ops', '--config', config]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^send-test: ops \(slack\): delivered \(status 200\)/);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toContain('crosswatch test notification');
      status = 404;
      const failed = await run(['send-test', '--sink', 'ops', '--config', config]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/^send-test: ops \(slack\): permanent \(status 404\)/);
      expect(failed.stdout + failed.stderr).not.toContain('SENTINELSECRET');
    } finally {
      await server.close();
    }
  });

  it('names the configured sinks when the one asked for does not exist', async () => {
    const { code, stderr } = await run(['send-test', '--sink', 'pager']);
    expect(code).toBe(2);
    expect(stderr).toBe('crosswatch: send-test: no sink named "pager" in defaults (configured: console)\n');
    const noSink = await run(['send-test']);
    expect(noSink).toMatchObject({
      code: 2,
      stderr: 'crosswatch: send-test: give --sink NAME (see crosswatch send-test --help)\n',
    });
  });
});

describe('--help', () => {
  for (const command of ['route', 'deliveries', 'redrive', 'send-test']) {
    it(`crosswatch ${command} --help`, async () => {
      const { code, stdout } = await run([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: crosswatch ${command} `));
    });
  }

  it('lists the notify commands in the main usage', async () => {
    const { stdout } = await run(['--help']);
    for (const command of ['deliveries', 'redrive', 'route --explain', 'send-test --sink'])
      expect(stdout).toContain(command);
  });
});
