/**
 * Probe-round benchmark (issue [probes]): 200 loopback HTTP targets, 20% of which accept and never
 * answer, per-probe timeout 2 s, concurrency 50.
 * - crosswatch: round wall time as a ratio to the timeout (target ≤ 1.05×) and CPU ms per probe
 *   (process.cpuUsage; the target server runs in a child process so its CPU is not counted). The
 *   probe code runs as an esbuild bundle, as it is deployed, not through the TypeScript loader;
 * - the same round through prometheus-blackbox-exporter when /usr/bin/prometheus-blackbox-exporter
 *   exists: started on a loopback port with a generated config, driven with 200 `/probe` requests at
 *   concurrency 50; its CPU is read from /proc (target: crosswatch CPU per probe ≤ blackbox's).
 * Both are warmed up, then run ROUNDS rounds alternately (so machine noise hits both alike); the
 * medians are compared.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { runProbeRound as RunProbeRound } from '../shared/probe/runner.ts';
import type { TargetSpec } from '../shared/probe/target-types.ts';
import type { parseTarget as ParseTarget } from '../shared/probe/targets-file.ts';
import { type GoalLine, median, verdict } from './lib.ts';

const TARGETS = 200;
const HANGING_SHARE = 0.2;
const TIMEOUT_MS = 2000;
const CONCURRENCY = 50;
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const ROUNDS = 3;

interface ProbeModule {
  readonly runProbeRound: typeof RunProbeRound;
  readonly parseTarget: typeof ParseTarget;
}

/** Bundles the probe runner and target parser with esbuild into a temp dir and imports them. */
async function loadBundledProbes(dir: string): Promise<ProbeModule> {
  const entry = join(dir, 'probes-entry.ts');
  const root = new URL('../shared/probe/', import.meta.url).pathname;
  writeFileSync(
    entry,
    `export { runProbeRound } from '${root}runner.ts';\nexport { parseTarget } from '${root}targets-file.ts';\n`,
  );
  const outfile = join(dir, 'probes.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return (await import(pathToFileURL(outfile).href)) as ProbeModule;
}

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

async function warmUpCrosswatch(probes: ProbeModule, urls: readonly string[]): Promise<void> {
  // JIT and lazily loaded modules, on the answering targets only, like a long-running exporter.
  const targets = urls
    .filter((url) => url.includes('/ok/'))
    .map((url, index) =>
      probes.parseTarget({ id: `warm-${index}`, kind: 'http', plane: 'edge', url }, 'warm'),
    );
  for (let i = 0; i < 2; i++) {
    await probes.runProbeRound(targets, {
      vantage: VANTAGE,
      timeoutMs: TIMEOUT_MS,
      concurrency: CONCURRENCY,
    });
  }
}

const VANTAGE = { id: 'bench', cloud: 'local', region: '' } as const;

async function runCrosswatchRound(probes: ProbeModule, urls: readonly string[]): Promise<RoundFigures> {
  const targets: TargetSpec[] = urls.map((url, index) =>
    probes.parseTarget({ id: `bench-${index}`, kind: 'http', plane: 'edge', url }, `bench[${index}]`),
  );
  const cpu = process.cpuUsage();
  const start = performance.now();
  const round = await probes.runProbeRound(targets, {
    vantage: VANTAGE,
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

interface Blackbox {
  runRound(urls: readonly string[]): Promise<RoundFigures>;
  stop(): void;
}

async function startBlackbox(urls: readonly string[]): Promise<Blackbox> {
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
  const stop = () => {
    agent.destroy();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
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
    await Promise.all(urls.filter((url) => url.includes('/ok/')).map(probe));
    const runRound = async (roundUrls: readonly string[]): Promise<RoundFigures> => {
      const cpuBefore = readCpuMs(pid, tickMs);
      const start = performance.now();
      let next = 0;
      let up = 0;
      const worker = async () => {
        while (next < roundUrls.length) {
          const url = roundUrls[next++];
          if (url === undefined) break;
          const { body } = await probe(url);
          if (/^probe_success 1$/m.test(body)) up++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const wallMs = performance.now() - start;
      const cpuMs = readCpuMs(pid, tickMs) - cpuBefore;
      return { wallMs, cpuMsPerProbe: cpuMs / roundUrls.length, up, failed: roundUrls.length - up };
    };
    return { runRound, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

function summarize(rounds: readonly RoundFigures[]): RoundFigures {
  const last = rounds[rounds.length - 1] ?? { wallMs: 0, cpuMsPerProbe: 0, up: 0, failed: 0 };
  return {
    wallMs: median(rounds.map((r) => r.wallMs)),
    cpuMsPerProbe: median(rounds.map((r) => r.cpuMsPerProbe)),
    up: last.up,
    failed: last.failed,
  };
}

function describeRound(label: string, figures: RoundFigures): string {
  return `  ${label.padEnd(30)} ${(figures.wallMs / 1000).toFixed(2)} s = ${(figures.wallMs / TIMEOUT_MS).toFixed(3)}× the timeout, ${figures.cpuMsPerProbe.toFixed(2)} ms CPU per probe (${figures.up} up, ${figures.failed} failed)`;
}

export async function runProbeRoundBenchmarks(): Promise<GoalLine[]> {
  const { port, child } = await startTargetServer();
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-probe-bench-'));
  let blackbox: Blackbox | undefined;
  try {
    const urls = targetUrls(port);
    console.log(
      `probe round — ${TARGETS} loopback HTTP targets, ${HANGING_SHARE * 100}% hanging, timeout ${TIMEOUT_MS / 1000} s, concurrency ${CONCURRENCY}; median of ${ROUNDS} alternating rounds`,
    );
    const probes = await loadBundledProbes(dir);
    await warmUpCrosswatch(probes, urls);
    const hasBlackbox = existsSync(BLACKBOX);
    let blackboxProblem = `${BLACKBOX} not installed — comparison skipped (apt-get install prometheus-blackbox-exporter)`;
    if (hasBlackbox) {
      try {
        blackbox = await startBlackbox(urls);
      } catch (error) {
        blackboxProblem = `could not start (${error instanceof Error ? error.message : String(error)}) — comparison skipped`;
      }
    }
    const ours: RoundFigures[] = [];
    const theirs: RoundFigures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await runCrosswatchRound(probes, urls));
      if (blackbox) theirs.push(await blackbox.runRound(urls));
    }
    const crosswatch = summarize(ours);
    const ratio = crosswatch.wallMs / TIMEOUT_MS;
    const wallPass = ratio <= 1.05;
    console.log(
      `${describeRound('crosswatch (bundled, node:http)', crosswatch)}  round ≤ 1.05× ${verdict(wallPass)}`,
    );
    const wallGoal: GoalLine = { goal: 'probe-round: round ≤ 1.05× the timeout', pass: wallPass };
    const cpuGoal = "probe-round: CPU per probe ≤ blackbox_exporter's";
    if (!blackbox || theirs.length === 0) {
      console.log(`  blackbox_exporter: ${blackboxProblem}`);
      return [wallGoal, { goal: cpuGoal, pass: false, skipped: true }];
    }
    const peer = summarize(theirs);
    console.log(describeRound('prometheus-blackbox-exporter', peer));
    const cpuPass = crosswatch.cpuMsPerProbe <= peer.cpuMsPerProbe;
    console.log(
      `  crosswatch/blackbox: wall ${(crosswatch.wallMs / peer.wallMs).toFixed(2)}×, CPU per probe ${(crosswatch.cpuMsPerProbe / peer.cpuMsPerProbe).toFixed(2)}× (target ≤ 1×)  ${verdict(cpuPass)}`,
    );
    return [wallGoal, { goal: cpuGoal, pass: cpuPass }];
  } finally {
    blackbox?.stop();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const goals = await runProbeRoundBenchmarks();
  console.log(goals.every((goal) => goal.pass && !goal.skipped) ? 'targets met' : 'targets missed');
}
