/**
 * SIGTERM while sinks misbehave (a child process, real SQLite, real sinks over loopback): one
 * destination holds every request without answering, another answers 500, and a client is still
 * sending a request slowly (it would hold the server until requestTimeoutMs). The runner stops
 * retrying, aborts the attempt still in flight after its shutdown budget and exits 0 within 10 s;
 * what was not delivered stays pending in the outbox (`crosswatch deliveries --pending`), and the
 * healthy sink got its notification.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDeliveriesCommand } from '../../../cli/deliveries-command.ts';
import { captureIo } from '../../helpers/cli-harness.ts';
import { startHttpServer } from '../../helpers/loopback-servers.ts';
import { postServiceHealthIncident, spawnRunner } from '../../helpers/spawn-runner.ts';

const TOKEN = 'shutdown-token-0123456789abcdef0';
const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-shutdown-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('SIGTERM with a hanging and a failing sink exits 0 within 10 s and keeps what is pending', async () => {
  let hangingRequests = 0;
  const hanging = await startHttpServer((request) => {
    hangingRequests++;
    request.resume();
  });
  let failingRequests = 0;
  const failing = await startHttpServer((request, response) => {
    failingRequests++;
    request.resume();
    response.writeHead(500);
    response.end('down');
  });
  const configPath = join(dir, 'crosswatch.config.json');
  const dataDir = join(dir, 'data');
  const sinkFile = join(dir, 'notifications.jsonl');
  const hook = (name: string, url: string) => ({
    name,
    kind: 'webhook',
    url: `${url}/hook`,
    secret: SECRET,
    allowInsecure: true,
    allowPrivate: true,
  });
  await writeFile(
    configPath,
    JSON.stringify({
      webhook: { tokens: [TOKEN] },
      probes: { enabled: false },
      notify: {
        sinks: [
          hook('hanging', hanging.url),
          hook('failing', failing.url),
          { name: 'file', kind: 'file', path: sinkFile },
        ],
        defaultRoute: { sinks: ['hanging', 'failing', 'file'] },
        // Long enough that only the shutdown budget can end the hanging attempt.
        outbox: { attemptTimeoutMs: 60_000, leaseMs: 90_000 },
      },
    }),
  );
  try {
    const runner = await spawnRunner(configPath, dataDir);
    expect(await postServiceHealthIncident(runner.url, TOKEN)).toBe(202);
    const until = performance.now() + 20_000;
    while ((hangingRequests === 0 || failingRequests === 0) && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(hangingRequests).toBe(1);
    expect(failingRequests).toBeGreaterThan(0);

    // A client in the middle of a request, sending a byte now and then.
    const { port } = new URL(runner.url);
    const slowClient = connect(Number(port), '127.0.0.1');
    slowClient.on('error', () => undefined);
    slowClient.write(
      `POST /api/service-health?token=${TOKEN} HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{`,
    );
    const drip = setInterval(() => slowClient.write(' '), 500);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const exited = once(runner.child, 'exit');
    const stoppedAt = performance.now();
    runner.child.kill('SIGTERM');
    const [code] = await exited;
    const took = performance.now() - stoppedAt;
    clearInterval(drip);
    slowClient.destroy();
    expect(code, runner.output()).toBe(0);
    expect(took).toBeLessThan(10_000);

    expect(await readFile(sinkFile, 'utf8')).toContain('"incidentKey":"azure:0NIH-U2O"');
    const harness = captureIo();
    expect(await runDeliveriesCommand(['--pending', '--json', '--data', dataDir], harness.io)).toBe(0);
    const pending = harness
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { sink: string; status: string });
    expect(pending.map((delivery) => delivery.sink).sort()).toEqual(['failing', 'hanging']);
    expect(pending.every((delivery) => delivery.status === 'pending')).toBe(true);
  } finally {
    await hanging.close();
    await failing.close();
  }
}, 60_000);
