/**
 * `crosswatch silence add|list|remove` on a real SQLite data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { captureIo } from '../helpers/cli-harness.ts';

const root = mkdtempSync(join(tmpdir(), 'crosswatch-silence-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDataDir = () => join(root, `data-${++dirs}`);

async function run(args: string[]) {
  const harness = captureIo();
  const code = await runCli(['silence', ...args], harness.io);
  return { code, stdout: harness.stdout(), stderr: harness.stderr() };
}

describe('crosswatch silence', () => {
  it('add, list, remove: a roundtrip', async () => {
    const data = newDataDir();
    // The harness clock is 2026-01-22T10:00:00Z.
    const oneOff = await run([
      'add',
      '--data',
      data,
      '--provider',
      'azure',
      '--service',
      'Virtual Machines',
      '--region',
      'West Europe',
      '--region',
      'North Europe',
      '--duration',
      '2h',
      '--comment',
      'planned VM work',
      '--created-by',
      'ops@contoso',
      '--json',
    ]);
    expect(oneOff.code).toBe(0);
    const first = JSON.parse(oneOff.stdout);
    expect(first).toMatchObject({
      matchers: {
        provider: ['azure'],
        service: ['Virtual Machines'],
        region: ['West Europe', 'North Europe'],
      },
      appliesTo: 'all',
      startsAt: '2026-01-22T10:00:00.000Z',
      endsAt: '2026-01-22T12:00:00.000Z',
      schedule: null,
      comment: 'planned VM work',
      createdBy: 'ops@contoso',
      source: 'manual',
    });

    const recurring = await run([
      'add',
      '--data',
      data,
      '--target',
      'control-arm',
      '--plane',
      'control',
      '--cron',
      '0 2 * * SUN',
      '--duration',
      '4h',
      '--tz',
      'Europe/Berlin',
    ]);
    expect(recurring.code).toBe(0);
    expect(recurring.stdout).toMatch(
      /^added silence \S+ {2}inactive target=control-arm plane=control {2}cron "0 2 \* \* SUN" Europe\/Berlin for 4h 0m\n$/,
    );
    const secondId = recurring.stdout.split(' ')[2] ?? '';

    const listed = await run(['list', '--data', data, '--json']);
    expect(listed.code).toBe(0);
    const silences = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(silences.map((s) => s.id).sort()).toEqual([first.id, secondId].sort());
    expect(silences.find((s) => s.id === first.id)?.active).toBe(true);
    expect(silences.find((s) => s.id === secondId)).toMatchObject({
      active: false,
      schedule: { cron: '0 2 * * SUN', timeZone: 'Europe/Berlin', durationMs: 14_400_000 },
    });

    const text = await run(['list', '--data', data]);
    expect(text.stdout).toContain(
      `${first.id}  active   provider=azure service=Virtual Machines region=West Europe|North Europe  from 2026-01-22T10:00:00.000Z until 2026-01-22T12:00:00.000Z — planned VM work by ops@contoso`,
    );
    expect(text.stdout.trim().split('\n').at(-1)).toBe('2 silences');

    const removed = await run(['remove', first.id, '--data', data]);
    expect(removed).toEqual({ code: 0, stdout: `removed silence ${first.id}\n`, stderr: '' });
    const after = await run(['list', '--data', data, '--json']);
    expect(
      after.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual([secondId]);

    const again = await run(['remove', first.id, '--data', data]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `crosswatch: silence remove: no silence with id "${first.id}" (see crosswatch silence list)\n`,
    );
  });

  it('one-off windows: --start/--end, and --incident with a prefix', async () => {
    const data = newDataDir();
    const { code, stdout } = await run([
      'add',
      '--data',
      data,
      '--incident',
      'azure:FNJ8-*',
      '--start',
      '2026-02-02T21:00:00+01:00',
      '--end',
      '2026-02-03T06:00:00Z',
      '--applies-to',
      'provider',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      matchers: { incidentKey: ['azure:FNJ8-*'] },
      appliesTo: 'provider',
      startsAt: '2026-02-02T20:00:00.000Z',
      endsAt: '2026-02-03T06:00:00.000Z',
    });
    const list = await run(['list', '--data', data]);
    expect(list.stdout).toMatch(/ {2}pending {2}incident=azure:FNJ8-\* \(provider incidents\) {2}from /);
  });

  it.each([
    [['add', '--duration', '2h'], /^crosswatch: silence add: give at least one matcher/],
    [
      ['add', '--plane', 'dataplane', '--duration', '2h'],
      /^crosswatch: silence add: --plane must be one of dns,/,
    ],
    [['add', '--provider', 'gcp', '--duration', '2h'], /^crosswatch: silence add: --provider must be one of/],
    [
      ['add', '--service', 'VM', '--duration', 'two hours'],
      /^crosswatch: silence add: --duration must be like 2h/,
    ],
    [['add', '--service', 'VM'], /^crosswatch: silence add: a one-off silence needs --end or --duration/],
    [
      ['add', '--service', 'VM', '--start', '2026-02-02 20:00', '--duration', '1h'],
      /--start must be an ISO 8601 time with a zone/,
    ],
    [
      ['add', '--service', 'VM', '--end', '2026-01-01T00:00:00Z'],
      /^crosswatch: silence add: --end must be after --start/,
    ],
    [
      ['add', '--service', 'VM', '--end', '2026-02-01T00:00:00Z', '--duration', '1h'],
      /give --end or --duration, not both/,
    ],
    [
      ['add', '--service', 'VM', '--duration', '1h', '--tz', 'UTC'],
      /--tz applies only to a recurring silence/,
    ],
    [['add', '--service', 'VM', '--cron', '0 2 * * SUN'], /--cron needs --duration/],
    [
      ['add', '--service', 'VM', '--cron', '0 2 * * SUN', '--duration', '1h', '--tz', 'Mars/Olympus'],
      /^crosswatch: silence add: --tz: invalid silence: unknown time zone Mars\/Olympus/,
    ],
    [
      ['add', '--service', 'VM', '--cron', 'every sunday', '--duration', '1h'],
      /^crosswatch: silence add: --cron: invalid silence: schedule "every sunday"/,
    ],
    [
      ['add', '--service', 'VM', '--duration', '1h', '--applies-to', 'both'],
      /--applies-to must be all, probe or provider/,
    ],
    [['list', '--service', 'VM'], /^crosswatch: silence list: --service does not apply to silence list/],
    [['remove'], /^crosswatch: silence remove: give exactly one silence ID/],
    [['mute'], /^crosswatch: silence: unknown action "mute"/],
    [[], /^crosswatch: silence: give an action: add, list or remove/],
    [['add', '--bogus'], /^crosswatch: silence: Unknown option '--bogus'/],
  ])('%j exits 2 with one line naming the flag', async (args, pattern) => {
    const data = newDataDir();
    const { code, stdout, stderr } = await run([...args, '--data', data]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(pattern);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: crosswatch silence add/);
  });
});
