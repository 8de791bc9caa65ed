/**
 * The `crosswatch` command: dispatches to one command module per verb.
 */
import packageJson from '../package.json' with { type: 'json' };
import { type CliIo, createProcessIo, EXIT, writeError, writeText } from './cli-io.ts';
import { runNormalizeCommand } from './normalize-command.ts';
import { runStartCommand } from './start-command.ts';

export const VERSION: string = packageJson.version;

export const MAIN_USAGE = `Usage: crosswatch <command> [options]

crosswatch tells an operations team whether Azure or Microsoft 365 is impaired, which plane is hurt,
and whether the provider has said so yet.

Commands:
  deliveries              list notification deliveries and dead letters (--dead, --json, --data DIR)
  ingest FILE...          run payloads and event JSON lines through the incident engine (--data DIR)
  incidents               list incidents: status, verdict, acknowledgement, lead time, scope (--all)
  normalize [FILE|-]...   print provider payloads as crosswatch events, one JSON object per line
  probe                   run one probe round (--targets FILE | --catalog default) and print the results
  redrive ID|--all-dead   re-queue dead-letter deliveries (--send to send them now)
  replay DIR|FILE...      replay a recorded incident (e.g. scenarios/…) through the engine and show the story
  route --explain FILE    show which notify routing rules an event matches, and why
  send-test --sink NAME   send a sample notification through one configured sink and print its answer
  silence add|list|remove silence incidents by provider, service, region, target, plane or key
  serve                   run crosswatch locally: webhooks, probes, engine, notifications (\`npm start\`)
  start                   alias of serve

Options:
  -h, --help              show help (also: crosswatch <command> --help)
  -v, --version           print the version

Exit status: 0 success, 1 runtime failure, 2 bad input or usage.
`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  deliveries: (args, io) =>
    import('./deliveries-command.ts').then(({ runDeliveriesCommand }) => runDeliveriesCommand(args, io)),
  incidents: (args, io) =>
    import('./incidents-command.ts').then(({ runIncidentsCommand }) => runIncidentsCommand(args, io)),
  ingest: (args, io) =>
    import('./ingest-command.ts').then(({ runIngestCommand }) => runIngestCommand(args, io)),
  normalize: runNormalizeCommand,
  probe: (args, io) => import('./probe-command.ts').then(({ runProbeCommand }) => runProbeCommand(args, io)),
  silence: (args, io) =>
    import('./silence-command.ts').then(({ runSilenceCommand }) => runSilenceCommand(args, io)),
  serve: (args, io) =>
    import('./serve-command.ts').then(({ runServeCommand }) =>
      runServeCommand(args, io, { version: VERSION }),
    ),
  redrive: (args, io) =>
    import('./redrive-command.ts').then(({ runRedriveCommand }) => runRedriveCommand(args, io)),
  replay: (args, io) =>
    import('./replay-command.ts').then(({ runReplayCommand }) => runReplayCommand(args, io)),
  route: (args, io) => import('./route-command.ts').then(({ runRouteCommand }) => runRouteCommand(args, io)),
  'send-test': (args, io) =>
    import('./send-test-command.ts').then(({ runSendTestCommand }) => runSendTestCommand(args, io)),
  start: (args, io) => runStartCommand(args, io, VERSION),
};

export async function runCli(argv: readonly string[], io: CliIo = createProcessIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    await writeText(io.stdout, MAIN_USAGE);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '-v' || first === '--version') {
    await writeText(io.stdout, `${VERSION}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (command === undefined) {
    writeError(io, `unknown command "${first}" (see crosswatch --help)`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // A bug, not bad input: still one line, with the cause's name, never a stack trace.
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    writeError(io, `${first} failed unexpectedly (${detail}); please report this`);
    return EXIT.failure;
  }
}
