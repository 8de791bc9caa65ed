/**
 * The local runner in-process with no configuration at all: it starts on loopback, generates and
 * prints a webhook token instead of accepting anonymous requests, serves the routes, and stops
 * cleanly (exit 0) when asked.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServeCommand } from '../../../cli/serve-command.ts';
import type { LocalRunner } from '../../../functions/local/local-runner.ts';
import { captureIo } from '../../helpers/cli-harness.ts';

const PAYLOAD = readFile(
  new URL('../../fixtures/azure-activity-log-webhook/service-health-incident-active.json', import.meta.url),
  'utf8',
);

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-runner-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * `crosswatch serve --port 0 --no-probes` in `dir`, in-process; resolves once it is listening.
 * `terminal`: stdout claims to be a TTY (a stand-in: a PassThrough with isTTY set, no real pty).
 */
async function startServe(options: { terminal?: boolean } = {}) {
  const harness = captureIo();
  if (options.terminal) Object.assign(harness.io.stdout, { isTTY: true });
  const stop = new AbortController();
  let ready: (runner: LocalRunner) => void = () => undefined;
  const started = new Promise<LocalRunner>((resolve) => {
    ready = resolve;
  });
  const exit = runServeCommand(['--port', '0', '--no-probes'], harness.io, {
    version: 'test',
    signal: stop.signal,
    onReady: (runner) => ready(runner),
    cwd: dir,
  });
  return { harness, stop, exit, runner: await started };
}

describe('crosswatch serve with no configuration', () => {
  it('binds loopback, generates a token, refuses anonymous requests and accepts authenticated ones', async () => {
    const { harness, stop, exit, runner } = await startServe();
    try {
      expect(runner.info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const tokenPath = join(dir, '.crosswatch', 'local-token');
      const token = (await readFile(tokenPath, 'utf8')).trim();
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await stat(tokenPath)).mode & 0o777).toBe(0o600);
      const banner = harness.stdout();
      expect(banner).toContain(`listening   ${runner.info.url}`);
      // stdout is not a terminal: the banner names the token file instead of printing the token.
      expect(banner).toContain(`send ?token=$(cat '${tokenPath}')`);
      expect(banner).not.toContain(token);
      expect(banner).toContain('probes      disabled');
      expect(banner).toContain('sinks       console (console)');

      const body = await PAYLOAD;
      const anonymous = await fetch(`${runner.info.url}/api/service-health`, { method: 'POST', body });
      expect(anonymous.status).toBe(401);
      const accepted = await fetch(`${runner.info.url}/api/service-health?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(accepted.status).toBe(202);
      expect((await fetch(`${runner.info.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${runner.info.url}/api/nothing`)).status).toBe(404);
      expect((await fetch(`${runner.info.url}/api/service-health?token=${token}`)).status).toBe(405);
      const status = await fetch(`${runner.info.url}/api/status`);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ vantage: { id: 'local', cloud: 'local' } });
    } finally {
      stop.abort();
    }
    expect(await exit).toBe(0);
    // The accepted input was processed before the runner stopped: the console sink printed it.
    expect(harness.stdout()).toContain('"incidentKey":"azure:0NIH-U2O"');
    expect(harness.stdout()).not.toMatch(/"msg":"(request failed|background processing failed)"/);
  });

  it('prints the generated token in the banner only on a terminal with readable logs', async () => {
    const tokenPath = join(dir, '.crosswatch', 'local-token');
    const onTerminal = await startServe({ terminal: true });
    try {
      const token = (await readFile(tokenPath, 'utf8')).trim();
      expect(onTerminal.harness.stdout()).toContain(`              send ?token=${token}\n`);
    } finally {
      onTerminal.stop.abort();
    }
    expect(await onTerminal.exit).toBe(0);

    // A terminal, but JSON logs (meant for a collector): the path, never the token.
    await writeFile(join(dir, 'crosswatch.config.json'), JSON.stringify({ log: { format: 'json' } }));
    const jsonLogs = await startServe({ terminal: true });
    try {
      const token = (await readFile(tokenPath, 'utf8')).trim();
      expect(jsonLogs.harness.stdout()).toContain(`in ${tokenPath} (not printed:`);
      expect(jsonLogs.harness.stdout()).toContain(`send ?token=$(cat '${tokenPath}')`);
      expect(jsonLogs.harness.stdout()).not.toContain(token);
    } finally {
      jsonLogs.stop.abort();
    }
    expect(await jsonLogs.exit).toBe(0);
    expect(jsonLogs.harness.stdout()).not.toContain((await readFile(tokenPath, 'utf8')).trim());
  });

  it('fails with one line naming a bad setting', async () => {
    const harness = captureIo();
    const code = await runServeCommand(['--port', '99999'], harness.io, { version: 'test', cwd: dir });
    expect(code).toBe(2);
    expect(harness.stderr()).toBe('crosswatch: --port: must be an integer between 0 and 65535\n');
  });

  it('records its heartbeat, publishes it in /api/status, and escalates a stale peer through its sinks', async () => {
    // The harness clock is fixed (test/helpers/cli-harness.ts): the peer's last heartbeat is an hour before it.
    const peerHeartbeat = new Date(captureIo().io.now().getTime() - 60 * 60_000).toISOString();
    const peer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          deploymentId: 'azure-app',
          generatedAt: new Date().toISOString(),
          heartbeat: { lastHeartbeatAt: peerHeartbeat },
          openIncidents: [],
        }),
      );
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const statusUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/api/status?code=PEER-KEY-SENTINEL`;
    const sinkFile = join(dir, 'notifications.jsonl');
    await writeFile(
      join(dir, 'crosswatch.config.json'),
      JSON.stringify({
        watchdog: { schedule: '1h' },
        mesh: { peers: [{ id: 'azure-app', statusUrl }] },
        notify: { sinks: [{ name: 'file', kind: 'file', path: sinkFile }] },
      }),
    );
    const { harness, stop, exit, runner } = await startServe();
    try {
      expect(harness.stdout()).toContain(
        'mesh        peers azure-app (status); provider-outage needs 1 of 1 vantage',
      );
      expect(harness.stdout()).toContain('watchdog    heartbeat local every 1h');
      // The first watchdog run happens at start; wait for its notification to reach the file sink.
      let notifications = '';
      for (let attempt = 0; attempt < 150 && !notifications.includes('watchdog-stale'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        notifications = await readFile(sinkFile, 'utf8').catch(() => '');
      }
      expect(notifications).toContain('watchdog-stale');
      expect(notifications).toContain('azure-app');
      const status = (await (await fetch(`${runner.info.url}/api/status`)).json()) as {
        deploymentId: string;
        heartbeat: { lastHeartbeatAt: string | null };
      };
      expect(status.deploymentId).toBe('local');
      expect(Date.parse(status.heartbeat.lastHeartbeatAt ?? '')).toBeGreaterThan(Date.parse(peerHeartbeat));
    } finally {
      stop.abort();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    }
    expect(await exit).toBe(0);
    // The peer's status URL carries a key: it never reaches the output.
    expect(harness.stdout()).not.toContain('PEER-KEY-SENTINEL');
    expect(harness.stderr()).not.toContain('PEER-KEY-SENTINEL');
  });

  it('refuses a peer listed twice, naming the setting', async () => {
    const peers = [
      { id: 'a', statusUrl: 'https://a.example/api/status' },
      { id: 'a', statusUrl: 'https://b.example/api/status' },
    ];
    await writeFile(join(dir, 'crosswatch.config.json'), JSON.stringify({ mesh: { peers } }));
    const harness = captureIo();
    const code = await runServeCommand(['--port', '0'], harness.io, { version: 'test', cwd: dir });
    expect(code).toBe(2);
    expect(harness.stderr()).toBe(
      'crosswatch: crosswatch.config.json: mesh.peers[1].id: "a" is listed twice\n',
    );
  });
});
