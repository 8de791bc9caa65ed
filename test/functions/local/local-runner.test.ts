/**
 * The local runner in-process with no configuration at all: it starts on loopback, generates and
 * prints a webhook token instead of accepting anonymous requests, serves the routes, and stops
 * cleanly (exit 0) when asked.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalRunner } from '../../../functions/local/local-runner.ts';
import { runServeCommand } from '../../../shared/cli/serve-command.ts';
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

describe('crosswatch serve with no configuration', () => {
  it('binds loopback, generates a token, refuses anonymous requests and accepts authenticated ones', async () => {
    const harness = captureIo();
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
    const runner = await started;
    try {
      expect(runner.info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const tokenPath = join(dir, '.crosswatch', 'local-token');
      const token = (await readFile(tokenPath, 'utf8')).trim();
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await stat(tokenPath)).mode & 0o777).toBe(0o600);
      const banner = harness.stdout();
      expect(banner).toContain(`listening   ${runner.info.url}`);
      expect(banner).toContain(`?token=${token}`);
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

  it('fails with one line naming a bad setting', async () => {
    const harness = captureIo();
    const code = await runServeCommand(['--port', '99999'], harness.io, { version: 'test', cwd: dir });
    expect(code).toBe(2);
    expect(harness.stderr()).toBe('crosswatch: --port: must be an integer between 0 and 65535\n');
  });
});
