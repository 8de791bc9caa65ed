/**
 * `crosswatch serve` (and `crosswatch start`, what `npm start` runs): the local runner in the
 * foreground until SIGINT/SIGTERM, then a graceful shutdown (exit 0). Configuration comes from
 * crosswatch.config.json (or --config), CROSSWATCH_* variables and these flags; a bad setting is one
 * line naming it and exit 2.
 */
import type { LocalRunner } from '../functions/local/local-runner.ts';
import type { LocalToken } from '../functions/local/local-token.ts';
import { ConfigError, type CrosswatchConfig } from '../shared/config/crosswatch-config.ts';
import { type ConfigOverride, loadConfig } from '../shared/config/load-config.ts';
import { countExpectedVantages } from '../shared/mesh/mesh-peer.ts';
import { createLogger, type LogFormat, type Logger } from '../shared/observability/logger.ts';
import {
  createInMemoryMetrics,
  formatMetricsReadable,
  type InMemoryMetrics,
} from '../shared/observability/metrics.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';

export const SERVE_USAGE = `Usage: crosswatch serve [options]     (alias: crosswatch start, npm start)

Runs crosswatch locally until Ctrl-C / SIGTERM: the webhook routes, the probe schedule, the
provider pollers (when configured), the engine's timers and the outbox worker, with an embedded
SQLite store in the data directory.

Routes:
  POST /api/service-health   Azure Monitor action group webhook (?token= or Entra secure webhook)
  POST /api/webhook          Standard Webhooks signature (or ?token=)
  POST /api/mesh             a mesh peer's probe results, signed with its secret (docs/mesh.md)
  GET  /api/status           open incidents, inbox and metrics as JSON
  GET  /healthz              liveness

Options:
  --config FILE     configuration file (default: crosswatch.config.json when it exists)
  --host HOST       bind address (default 127.0.0.1)
  --port N          port (default 7071; 0 picks a free port)
  --data DIR        data directory (default ./.crosswatch)
  --no-probes       do not run the probe schedule
  -h, --help        show this help

With no webhook authentication configured, a random token is generated once and kept in
<data dir>/local-token (0600): requests must carry ?token=<it>. The banner prints it only on a
terminal with readable logs; otherwise it names the file (read it with cat).

One runner per data directory: a second one refuses to start, naming the pid that holds it
(<data dir>/runner.lock). The data directory is made 0700, its databases and evidence 0600.

Exit status: 0 after a graceful shutdown, 1 when the runner cannot start, 2 for a bad setting.
`;

export interface ServeOptions {
  readonly version: string;
  /** Stops the runner (tests); default: the process's SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
  /** Called once the runner listens (tests read the URL from it). */
  readonly onReady?: (runner: LocalRunner) => void;
  readonly cwd?: string;
}

function resolveFormat(format: CrosswatchConfig['log']['format'], stdout: NodeJS.WritableStream): LogFormat {
  if (format !== 'auto') return format;
  return (stdout as { isTTY?: boolean }).isTTY ? 'readable' : 'json';
}

/** `azure (sends, receives, status), aws (receives); provider-outage needs 2 of 3 vantages`. */
function describeMesh(config: CrosswatchConfig): string {
  const vantages = countExpectedVantages(config.mesh.peers);
  const quorum = `provider-outage needs ${config.engine.verdict.quorum} of ${vantages} vantage${vantages === 1 ? '' : 's'}`;
  if (config.mesh.peers.length === 0) return `no peers: judging from this vantage alone; ${quorum}`;
  const peers = config.mesh.peers.map((peer) => {
    const roles = [
      ...(peer.url ? ['sends'] : []),
      ...(peer.secret ? ['receives'] : []),
      ...(peer.statusUrl ? ['status'] : []),
    ];
    return `${peer.id} (${roles.join(', ')})`;
  });
  return `peers ${peers.join(', ')}; ${quorum}`;
}

/**
 * The generated token goes to the terminal only: stdout that is a file, a pipe or a log collector
 * (or JSON logs, which are meant for one) gets the token file's path instead.
 */
export function shouldPrintToken(stdout: NodeJS.WritableStream, format: LogFormat): boolean {
  return (stdout as { isTTY?: boolean }).isTTY === true && format === 'readable';
}

function describeLocalToken(token: LocalToken, url: string, printToken: boolean): string[] {
  const origin = `no webhook auth configured: generated token ${token.created ? '(new)' : '(reused)'} in ${token.path}`;
  if (!printToken)
    return [
      `  auth        ${origin} (not printed: stdout is not a terminal or the log format is json)`,
      `              send ?token=$(cat '${token.path}')`,
    ];
  return [
    `  auth        ${origin}`,
    `              send ?token=${token.token}`,
    `              e.g. curl -X POST -H 'content-type: application/json' --data @alert.json '${url}/api/service-health?token=${token.token}'`,
  ];
}

function formatBanner(
  config: CrosswatchConfig,
  runner: LocalRunner,
  version: string,
  printToken: boolean,
): string {
  const { info } = runner;
  const lines = [`crosswatch ${version} — local runner`, `  listening   ${info.url}`];
  const mesh = config.mesh.peers.some((peer) => peer.secret !== null)
    ? `   POST ${info.url}/api/mesh (peers)`
    : '';
  lines.push(`  webhooks    POST ${info.url}/api/service-health   POST ${info.url}/api/webhook${mesh}`);
  if (info.localToken) {
    lines.push(...describeLocalToken(info.localToken, info.url, printToken));
  } else {
    lines.push(`  auth        ${info.authModes.join(', ')}`);
  }
  lines.push(`  status      GET ${info.url}/api/status   GET ${info.url}/healthz`);
  lines.push(`  config      ${config.source}`);
  const store = config.store.kind === 'sqlite' ? `sqlite ${config.store.path}` : config.store.kind;
  lines.push(`  store       ${store}; inbox ${info.inboxPath} (group commit)`);
  const evidence =
    config.evidence.kind === 'sqlite' || config.evidence.kind === 'directory'
      ? `${config.evidence.kind} ${config.evidence.path}`
      : config.evidence.kind;
  lines.push(`  evidence    ${evidence} (${config.evidence.retentionDays} days)`);
  if (!config.probes.enabled) lines.push('  probes      disabled');
  else if (info.targets) {
    const skipped = info.targets.skipped.length;
    lines.push(
      `  probes      ${info.targets.targets.length} targets every ${config.probes.schedule.text} from vantage ${config.vantage.id}` +
        (skipped > 0 ? ` (${skipped} catalog targets skipped: tenant placeholders not configured)` : ''),
    );
  }
  const defaultSinks = config.notify.defaultRoute.sinks.join(', ') || 'none';
  lines.push(
    `  sinks       ${info.sinks.map((sink) => `${sink.name} (${sink.kind})`).join(', ')}; default route → ${defaultSinks}`,
  );
  lines.push(`  mesh        ${describeMesh(config)}`);
  lines.push(`  watchdog    heartbeat ${config.vantage.id} every ${config.watchdog.schedule.text}`);
  lines.push(
    '  stop        Ctrl-C (finishes in-flight work, processes every accepted input; twice: at once)',
  );
  return `${lines.join('\n')}\n`;
}

function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) resolve('abort');
      else signal.addEventListener('abort', () => resolve('abort'), { once: true });
      return;
    }
    const onSignal = (name: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(name);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** The flags that override configuration settings; undefined after a usage error (written). */
function readServeOverrides(
  io: CliIo,
  values: { port?: string; host?: string; data?: string; 'no-probes'?: boolean },
): ConfigOverride[] | undefined {
  const overrides: ConfigOverride[] = [];
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port)) {
      writeError(io, '--port: must be an integer between 0 and 65535');
      return undefined;
    }
    overrides.push({ path: 'server.port', value: Number(values.port), source: '--port' });
  }
  if (values.host !== undefined)
    overrides.push({ path: 'server.host', value: values.host, source: '--host' });
  if (values.data !== undefined) overrides.push({ path: 'dataDir', value: values.data, source: '--data' });
  if (values['no-probes']) overrides.push({ path: 'probes.enabled', value: false, source: '--no-probes' });
  return overrides;
}

/** Starts the local runner; undefined after writing one line that says why it could not start. */
async function startRunner(
  io: CliIo,
  config: CrosswatchConfig,
  deps: { readonly logger: Logger; readonly metrics: InMemoryMetrics; readonly version: string },
): Promise<LocalRunner | undefined> {
  const { startLocalRunner } = await import('../functions/local/local-runner.ts');
  const { DataDirInUseError } = await import('../functions/local/data-dir-lock.ts');
  try {
    return await startLocalRunner({ config, ...deps, now: io.now, stdout: io.stdout });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      writeError(io, `serve: cannot start: ${error.message}`);
      return undefined;
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      writeError(io, `serve: cannot listen on ${config.server.host}:${config.server.port} (${String(code)})`);
      return undefined;
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    writeError(io, `serve: cannot start (${detail})`);
    return undefined;
  }
}

export async function runServeCommand(
  args: readonly string[],
  io: CliIo,
  options: ServeOptions,
): Promise<number> {
  const parsed = parseCommandArgs(io, 'serve', args, {
    config: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    data: { type: 'string' },
    'no-probes': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values } = parsed;
  if (values.help) {
    await writeText(io.stdout, SERVE_USAGE);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) {
    writeError(io, `serve: unexpected argument "${parsed.positionals[0]}" (see crosswatch serve --help)`);
    return EXIT.usage;
  }
  const overrides = readServeOverrides(io, values);
  if (overrides === undefined) return EXIT.usage;

  let config: CrosswatchConfig;
  try {
    config = await loadConfig({
      ...(values.config !== undefined ? { file: values.config } : {}),
      env: io.env,
      cwd: options.cwd ?? process.cwd(),
      overrides,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      writeError(io, error.message);
      return EXIT.usage;
    }
    throw error;
  }

  const metrics = createInMemoryMetrics();
  const secrets = [...config.secrets];
  const format = resolveFormat(config.log.format, io.stdout);
  const logger = createLogger({
    write: (line) => io.stdout.write(line),
    level: config.log.level,
    format,
    secrets,
  });
  const runner = await startRunner(io, config, { logger, metrics, version: options.version });
  if (runner === undefined) return EXIT.failure;
  await writeText(
    io.stdout,
    formatBanner(config, runner, options.version, shouldPrintToken(io.stdout, format)),
  );
  options.onReady?.(runner);

  const reason = await waitForStop(options.signal);
  logger.info('shutting down', { reason });
  if (!options.signal) {
    // A second Ctrl-C stops at once: accepted inputs are durable and are processed on the next start.
    const force = () => {
      writeError(
        io,
        'serve: stopped without finishing; accepted inputs stay in the inbox for the next start',
      );
      process.exit(EXIT.failure);
    };
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
  }
  await runner.close();
  for (const line of formatMetricsReadable(metrics.snapshot())) logger.info('metric', { line });
  logger.info('stopped');
  return EXIT.ok;
}
