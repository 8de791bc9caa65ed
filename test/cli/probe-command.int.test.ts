import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeCommand } from '../../cli/probe-command.ts';
import { assertValidEvent } from '../helpers/assert-valid-event.ts';
import { captureIo } from '../helpers/cli-harness.ts';
import { findClosedPort, type Loopback, startHttpServer } from '../helpers/loopback-servers.ts';

let server: Loopback;
let dir: string;
let targetsPath: string;

beforeAll(async () => {
  server = await startHttpServer((request, response) => {
    response.statusCode = request.url === '/arm' ? 401 : request.url === '/portal' ? 502 : 200;
    response.end('ok');
  });
  const closed = await findClosedPort();
  dir = mkdtempSync(join(tmpdir(), 'crosswatch-probe-cli-'));
  targetsPath = join(dir, 'targets.json');
  writeFileSync(
    targetsPath,
    JSON.stringify({
      targets: [
        {
          id: 'control-arm',
          kind: 'http',
          plane: 'control',
          url: `${server.url}/arm`,
          expect: { status: [401] },
        },
        { id: 'edge-portal', kind: 'http', plane: 'edge', url: `${server.url}/portal` },
        { id: 'data-sql', kind: 'tcp', plane: 'data', host: '127.0.0.1', port: closed },
        { id: 'ctl-web', kind: 'http', control: true, url: `${server.url}/` },
        { id: 'off', kind: 'http', plane: 'edge', url: `${server.url}/`, disabled: true },
      ],
    }),
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('crosswatch probe', () => {
  it('prints a table and a one-line round summary, exit 0 whatever the targets said', async () => {
    const captured = captureIo();
    const code = await runProbeCommand(
      ['--targets', targetsPath, '--vantage', 'ci', '--timeout-ms', '2000'],
      captured.io,
    );
    expect(code).toBe(0);
    const lines = captured.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PLANE\s+TARGET\s+OUTCOME\s+LATENCY\s+ERROR$/);
    expect(lines.find((line) => line.includes('control-arm'))).toMatch(
      /^control\s+control-arm\s+up\s+\d+ ms$/,
    );
    expect(lines.find((line) => line.includes('edge-portal'))).toMatch(/down\s+\d+ ms\s+HTTP_502 status 502/);
    expect(lines.find((line) => line.includes('data-sql'))).toMatch(/down\s+-\s+TCP_REFUSED/);
    expect(captured.stdout()).not.toContain(' off ');
    expect(lines.at(-1)).toMatch(
      /^round r-20260122T100000Z-ci: 4 targets, 2 up, 2 down, 0 degraded, 0 inconclusive in \d+\.\d\d s; controls 1\/1 healthy$/,
    );
    expect(captured.stderr()).toBe('');
  });

  it('prints probe-result CloudEvents as JSON lines with --json, the summary on stderr', async () => {
    const captured = captureIo();
    const code = await runProbeCommand(
      ['--targets', targetsPath, '--json', '--vantage-cloud', 'aws', '--vantage-region', 'eu-west-1'],
      captured.io,
    );
    expect(code).toBe(0);
    const events = captured
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(4);
    for (const event of events) assertValidEvent(event);
    expect(events[0].data).toMatchObject({
      vantage: { id: 'local', cloud: 'aws', region: 'eu-west-1' },
      outcome: 'up',
    });
    expect(captured.stderr()).toMatch(/^round r-20260122T100000Z-local: 4 targets/);
  });

  it('exits 2 naming the entry and the field of a bad targets file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ targets: [{ id: 'smtp-in', kind: 'smtp', plane: 'mail', host: 'mx', port: 0 }] }),
    );
    const captured = captureIo();
    expect(await runProbeCommand(['--targets', bad], captured.io)).toBe(2);
    expect(captured.stderr()).toBe(
      `crosswatch: probe: ${bad}: targets[0] (id "smtp-in"): field "port" must be an integer from 1 to 65535\n`,
    );
    expect(captured.stdout()).toBe('');
  });

  it('exits 2 for bad usage, one line each', async () => {
    const cases: [string[], RegExp][] = [
      [['probe'], /give --targets FILE or --catalog default/],
      [['probe', '--catalog', 'mine'], /unknown catalog "mine"/],
      [['probe', '--targets', join(dir, 'missing.json')], /missing\.json: no such file/],
      [['probe', '--targets', targetsPath, '--timeout-ms', '0'], /--timeout-ms must be an integer/],
      [['probe', '--targets', targetsPath, '--concurrency', 'x'], /--concurrency must be an integer/],
      [['probe', '--targets', targetsPath, '--vantage-cloud', 'gcp'], /--vantage-cloud must be one of/],
      [['probe', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const captured = captureIo();
      expect(await runProbeCommand(args.slice(1), captured.io), args.join(' ')).toBe(2);
      expect(captured.stderr()).toMatch(message);
      expect(captured.stderr().trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('prints its help', async () => {
    const captured = captureIo();
    expect(await runProbeCommand(['--help'], captured.io)).toBe(0);
    expect(captured.stdout()).toContain('Usage: crosswatch probe [--targets FILE | --catalog default]');
  });
});
