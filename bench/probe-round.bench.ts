/**
 * Probe-round benchmark (issue [probes]): 200 loopback HTTP targets, 20% of which accept and never
 * answer, per-probe timeout 2 s, concurrency 50.
 * - crosswatch: round wall time as a ratio to the timeout (target ≤ 1.05×) and CPU ms per probe
 *   (process.cpuUsage; the target server runs in a child process so its CPU is not counted);
 * - the same round through prometheus-blackbox-exporter when /usr/bin/prometheus-blackbox-exporter
 *   exists: started on a loopback port with a generated config, driven with 200 `/probe` requests at
 *   concurrency 50; its CPU is read from /proc (target: crosswatch CPU per probe ≤ blackbox's).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProbeRound } from '../shared/probe/runner.ts';
import { parseTarget, type TargetSpec } from '../shared/probe/targets-file.ts';
import { verdict } from './lib.ts';

const TARGETS = 200;
const HANGING_SHARE = 0.2;
const TIMEOUT_MS = 2000;
const CONCURRENCY = 50;
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';

/** The loopback target server, in its own process: `/ok` answers 200, `/hang` never answers. */
const TARGET_SERVER = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url.startsWith('/hang')) return; // accept, read the request, never answer
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

function startChild(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startTargetServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = startChild(process.execPath, ['--input-type=module', '-e', TARGET_SERVER]);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return { port, child };
}

function targetUrls(port: number): string[] {
  const every = Math.round(1 / HANGING_SHARE);
  return Array.from({ length: TARGETS }, (_, index) =>
    index % every === 0 ? `http://127.0.0.1:${port}/hang/${index}` : `http://127.0.0.1:${port}/ok/${index}`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function readCpuMs(pid: number, tickMs: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3; utime and stime are fields 14 and 15 (1-based).
  return (Number(fields[11]) + Number(fields[12])) * tickMs;
}

function get(
  agent: Agent,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface RoundFigures {
  wallMs: number;
  cpuMsPerProbe: number;
  up: number;
  failed: number;
}

async function runCrosswatchRound(urls: readonly string[]): Promise<RoundFigures> {
  const targets: TargetSpec[] = urls.map((url, index) =>
    parseTarget({ id: `bench-${index}`, kind: 'http', plane: 'edge', url }, `bench[${index}]`),
  );
  const vantage = { id: 'bench', cloud: 'local', region: '' } as const;
  // Warm-up (JIT, module loading) on the answering targets only, like a long-running exporter.
  await runProbeRound(
    targets.filter((target) => target.kind === 'http' && target.url.includes('/ok/')).slice(0, 50),
    { vantage, timeoutMs: TIMEOUT_MS, concurrency: CONCURRENCY },
  );
  const cpu = process.cpuUsage();
  const start = performance.now();
  const round = await runProbeRound(targets, {
    vantage,
    timeoutMs: TIMEOUT_MS,
    deadlineMs: TIMEOUT_MS * 5,
    concurrency: CONCURRENCY,
  });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    wallMs,
    cpuMsPerProbe: (used.user + used.system) / 1000 / TARGETS,
    up: round.summary.counts.up,
    failed: TARGETS - round.summary.counts.up,
  };
}

async function runBlackboxRound(urls: readonly string[]): Promise<RoundFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-blackbox-'));
  const config = join(dir, 'blackbox.yml');
  writeFileSync(
    config,
    `modules:\n  http_2xx:\n    prober: http\n    timeout: ${TIMEOUT_MS / 1000}s\n    http:\n      preferred_ip_protocol: ip4\n`,
  );
  const port = await freePort();
  const child = startChild(BLACKBOX, [
    `--config.file=${config}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=error',
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await get(agent, `${base}/-/healthy`)).status === 200) break;
      } catch (error) {
        if (attempt > 100) throw new Error(`blackbox_exporter did not start: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const clockTicks = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
    const tickMs = 1000 / clockTicks;
    const pid = child.pid ?? 0;
    const probe = (url: string) =>
      get(agent, `${base}/probe?module=http_2xx&target=${encodeURIComponent(url)}`, {
        'x-prometheus-scrape-timeout-seconds': String(TIMEOUT_MS / 1000 + 8),
      });
    // Warm-up, as for crosswatch.
    const warm = urls.filter((url) => url.includes('/ok/')).slice(0, 50);
    await Promise.all(warm.map(probe));
    const cpuBefore = readCpuMs(pid, tickMs);
    const start = performance.now();
    let next = 0;
    let up = 0;
    const worker = async () => {
      while (next < urls.length) {
        const url = urls[next++];
        if (url === undefined) break;
        const { body } = await probe(url);
        if (/^probe_success 1$/m.test(body)) up++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const wallMs = performance.now() - start;
    const cpuMs = readCpuMs(pid, tickMs) - cpuBefore;
    return { wallMs, cpuMsPerProbe: cpuMs / urls.length, up, failed: urls.length - up };
  } finally {
    agent.destroy();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

function describeRound(label: string, figures: RoundFigures): string {
  return `  ${label.padEnd(26)} ${(figures.wallMs / 1000).toFixed(2)} s = ${(figures.wallMs / TIMEOUT_MS).toFixed(3)}× the timeout, ${figures.cpuMsPerProbe.toFixed(2)} ms CPU per probe (${figures.up} up, ${figures.failed} failed)`;
}

export async function runProbeRoundBenchmarks(): Promise<boolean> {
  const { port, child } = await startTargetServer();
  try {
    const urls = targetUrls(port);
    console.log(
      `probe round — ${TARGETS} loopback HTTP targets, ${HANGING_SHARE * 100}% hanging, timeout ${TIMEOUT_MS / 1000} s, concurrency ${CONCURRENCY}`,
    );
    const crosswatch = await runCrosswatchRound(urls);
    const ratio = crosswatch.wallMs / TIMEOUT_MS;
    const wallPass = ratio <= 1.05;
    console.log(`${describeRound('crosswatch (node:http)', crosswatch)}  round ≤ 1.05× ${verdict(wallPass)}`);
    if (!existsSync(BLACKBOX)) {
      console.log(
        `  blackbox_exporter: ${BLACKBOX} not installed — comparison skipped (apt-get install prometheus-blackbox-exporter)`,
      );
      return wallPass;
    }
    const blackbox = await runBlackboxRound(urls);
    console.log(describeRound('prometheus-blackbox-exporter', blackbox));
    const cpuPass = crosswatch.cpuMsPerProbe <= blackbox.cpuMsPerProbe;
    console.log(
      `  crosswatch/blackbox: wall ${(crosswatch.wallMs / blackbox.wallMs).toFixed(2)}×, CPU per probe ${(crosswatch.cpuMsPerProbe / blackbox.cpuMsPerProbe).toFixed(2)}× (target ≤ 1×)  ${verdict(cpuPass)}`,
    );
    return wallPass && cpuPass;
  } finally {
    child.kill();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pass = await runProbeRoundBenchmarks();
  console.log(pass ? 'targets met' : 'targets missed');
}
