import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { assertValidEvent } from '../helpers/assert-valid-event.ts';
import { captureIo } from '../helpers/cli-harness.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));

describe('crosswatch normalize', () => {
  it('prints one CloudEvent per line for a file', async () => {
    const harness = captureIo();
    const code = await runCli(['normalize', fixture('probe/round-vantage-impaired.json')], harness.io);
    expect(code).toBe(0);
    const lines = harness.stdout().trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) assertValidEvent(JSON.parse(line));
    expect(harness.stderr()).toBe('');
  });

  it('reads standard input with - or with no file', async () => {
    const input = JSON.stringify({ results: [] });
    for (const args of [['normalize', '-'], ['normalize']]) {
      const harness = captureIo(input);
      // An empty result list is not a recognized payload: nothing to detect the format from.
      expect(await runCli(args, harness.io)).toBe(2);
      expect(harness.stderr()).toMatch(/^crosswatch: stdin: unrecognized input: /);
    }
  });

  it('exits 0 with one notice line for a recognized but ignored alert type', async () => {
    const harness = captureIo();
    const code = await runCli(
      ['normalize', fixture('azure-monitor-common/envelope-metric-resolved.json')],
      harness.io,
    );
    expect(code).toBe(0);
    expect(harness.stdout()).toBe('');
    const lines = harness.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^crosswatch: .*envelope-metric-resolved\.json: ignored: /);
  });

  it.each([
    ['not JSON', '{"schemaId": ', /^crosswatch: stdin: input is not valid JSON \(/],
    ['empty input', '', /^crosswatch: stdin: input is empty, expected a JSON document\n$/],
    [
      'an unknown shape',
      '{"hello":"world"}',
      /^crosswatch: stdin: unrecognized input: a JSON object with keys hello/,
    ],
    ['a JSON scalar', '42', /^crosswatch: stdin: unrecognized input: a JSON number/],
  ])('exits 2 with one line for %s', async (_label, input, pattern) => {
    const harness = captureIo(input);
    expect(await runCli(['normalize', '-'], harness.io)).toBe(2);
    const stderr = harness.stderr();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(pattern);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(harness.stdout()).toBe('');
  });

  it('names a missing file and a directory, and still prints the good inputs', async () => {
    const harness = captureIo();
    const code = await runCli(
      [
        'normalize',
        '/nonexistent/alert.json',
        fixture('probe/http-control-plane-502.json'),
        fixture('probe'),
      ],
      harness.io,
    );
    expect(code).toBe(2);
    expect(harness.stdout().trim().split('\n')).toHaveLength(1);
    expect(harness.stderr()).toContain('crosswatch: /nonexistent/alert.json: no such file\n');
    expect(harness.stderr()).toMatch(/probe: is a directory, expected a JSON file\n$/);
  });

  it('names the invalid field of a recognized format', async () => {
    const harness = captureIo(JSON.stringify({ kind: 'crosswatch.probe-result', outcome: 'sideways' }));
    expect(await runCli(['normalize'], harness.io)).toBe(2);
    expect(harness.stderr()).toMatch(
      /^crosswatch: stdin: probe-result: field result\.outcome must be one of up, down/,
    );
  });

  it('rejects unknown flags and prints help', async () => {
    const bad = captureIo();
    expect(await runCli(['normalize', '--frobnicate'], bad.io)).toBe(2);
    expect(bad.stderr()).toMatch(/^crosswatch: normalize: Unknown option '--frobnicate'/);
    const help = captureIo();
    expect(await runCli(['normalize', '--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Usage: crosswatch normalize');
  });
});

describe('crosswatch', () => {
  it('prints usage with --help and exits 2 without a command', async () => {
    const help = captureIo();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('normalize [FILE|-]');
    const none = captureIo();
    expect(await runCli([], none.io)).toBe(2);
  });

  it('names an unknown command', async () => {
    const harness = captureIo();
    expect(await runCli(['frobnicate'], harness.io)).toBe(2);
    expect(harness.stderr()).toBe('crosswatch: unknown command "frobnicate" (see crosswatch --help)\n');
  });

  it('start is an alias of serve, the local runner', async () => {
    const harness = captureIo();
    expect(await runCli(['start', '--help'], harness.io)).toBe(0);
    expect(harness.stdout()).toContain('Usage: crosswatch serve');
    expect(harness.stdout()).toContain('POST /api/service-health');
  });
});
