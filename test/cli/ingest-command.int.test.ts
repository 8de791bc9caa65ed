/**
 * `crosswatch ingest` end to end through runCli on a real SQLite data directory: the recorded
 * 2026-02-02 scenario, reruns, shuffled duplicates, bad files, silences and bad flags.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { createSqliteEvidenceArchive } from '../../shared/store/evidence-sqlite.ts';
import { captureIo } from '../helpers/cli-harness.ts';
import { shuffleWithSeed } from '../helpers/engine-events.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/2026-02-02-vm-service-management/', import.meta.url));
const scenarioFiles = readdirSync(SCENARIO)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => join(SCENARIO, name));
const root = mkdtempSync(join(tmpdir(), 'crosswatch-ingest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDataDir = () => join(root, `data-${++dirs}`);

interface DecisionLine {
  decision: string;
  incidentKey: string;
  updateKey: string;
  reason: string | null;
  status: string | null;
  verdict: string | null;
  suppressedKind: string | null;
  leadTimeMs?: number;
  input: string;
}

async function ingest(args: string[]) {
  const harness = captureIo();
  const code = await runCli(['ingest', '--json', ...args], harness.io);
  const decisions = harness
    .stdout()
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DecisionLine);
  return { code, decisions, stderr: harness.stderr() };
}

const story = (decisions: DecisionLine[]) =>
  decisions
    .filter((d) => d.decision !== 'observe' && d.decision !== 'duplicate' && d.decision !== 'suppressed')
    .map((d) => `${d.decision} ${d.incidentKey} ${d.reason ?? '-'} ${d.verdict ?? '-'}`);

describe('crosswatch ingest: the 2026-02-02 VM service management scenario', () => {
  const data = newDataDir();

  it('tells the story: probe open with a verdict, acknowledgement with a lead time, updates, resolves', async () => {
    const { code, decisions, stderr } = await ingest(['--data', data, ...scenarioFiles]);
    expect(code).toBe(0);
    expect(stderr).toBe('ingested 29 inputs, 30 decisions\n');
    expect(story(decisions)).toEqual([
      'open probe:control-arm-compute verdict:partial partial',
      'update probe:control-arm-compute vantage-failing:aws-us-east-1 provider-outage',
      'open azure:FNJ8-VQZ - -',
      'update probe:control-arm-compute acknowledged:azure:FNJ8-VQZ provider-outage',
      'update azure:FNJ8-VQZ - -',
      // After the recording's gap, aws-us-east-1's last result is stale when aws-eu-west-1 reports
      // its first up: the verdict flips to partial and back while both vantages recover. Those
      // intermediate verdicts are recorded (suppressed, recovering), not sent: the recoveries are.
      'update probe:control-arm-compute vantage-recovered:aws-eu-west-1 partial',
      'resolve probe:control-arm-compute vantage-recovered:aws-us-east-1 -',
      'resolve azure:FNJ8-VQZ - -',
      'update azure:FNJ8-VQZ - -',
    ]);
    const counts = (kind: string) => decisions.filter((d) => d.decision === kind).length;
    // Subscription b's copies, the action-group retry: one duplicate per copy.
    expect(counts('duplicate')).toBe(5);
    expect(
      decisions.filter((d) => d.decision === 'duplicate').every((d) => d.reason === 'already-applied'),
    ).toBe(true);
    // Two failures per vantage below the open threshold; the two intermediate verdicts of the recovery.
    expect(
      decisions.filter((d) => d.decision === 'suppressed').map((d) => `${d.suppressedKind} ${d.reason}`),
    ).toEqual([...Array(4).fill('open flap-threshold'), 'update recovering', 'update recovering']);
    const ack = decisions.find((d) => d.reason === 'acknowledged:azure:FNJ8-VQZ');
    // Detected at 19:49:01.855 (aws-eu-west-1's third failure), first published 20:01:12.441.
    expect(ack?.leadTimeMs).toBe(730_586);
    expect(ack?.input).toMatch(/04-service-health-active-sub-a\.json$/);
  });

  it('a rerun of the same inputs prints only duplicates', async () => {
    const { code, decisions, stderr } = await ingest(['--data', data, ...scenarioFiles]);
    expect(code).toBe(0);
    expect(decisions).toHaveLength(29);
    expect(new Set(decisions.map((d) => d.decision))).toEqual(new Set(['duplicate']));
    expect(stderr).toBe('ingested 29 inputs, 29 decisions\n');
  });

  it('incidents shows both, resolved, with the acknowledgement and the lead time', async () => {
    const harness = captureIo();
    expect(await runCli(['incidents', '--data', data, '--all', '--json'], harness.io)).toBe(0);
    const incidents = harness
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(incidents.map((i) => `${i.incidentKey} ${i.status}`)).toEqual([
      'probe:control-arm-compute resolved',
      'azure:FNJ8-VQZ resolved',
    ]);
    const [probe, azure] = incidents;
    expect(probe.acknowledgedBy.map((a: { incidentKey: string }) => a.incidentKey)).toEqual([
      'azure:FNJ8-VQZ',
    ]);
    expect(probe.leadTimeMs).toBe(730_586);
    expect(azure.acknowledges).toEqual(['probe:control-arm-compute']);
    expect(azure.scope.subscriptionIds).toEqual([
      '3f2c8a71-5d4e-4b8f-9a26-7c1e0d9b4a53',
      'b7e94d20-1a6c-4f3e-8d57-2e9f6c0a8b14',
    ]);
  });

  it('prints readable lines by default, with the lead time on the acknowledgement', async () => {
    const harness = captureIo();
    const files = scenarioFiles.slice(0, 4);
    expect(await runCli(['ingest', '--data', newDataDir(), ...files], harness.io)).toBe(0);
    const lines = harness.stdout().trim().split('\n');
    expect(lines).toHaveLength(14);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^2026-02-02T20:01:12\.441Z {2}update +probe:control-arm-compute {2}reason=acknowledged:azure:FNJ8-VQZ {2}status=open {2}verdict=provider-outage {2}leadTime=\+12m 11s {2}update=ack:/,
      ),
    );
    expect(lines[0]).toMatch(
      /^2026-02-02T19:47:01\.855Z {2}suppressed\(open\) +probe:control-arm-compute {2}reason=flap-threshold/,
    );
  });
});

describe('crosswatch ingest: inputs', () => {
  const serviceHealth = scenarioFiles.filter((file) => /service-health/.test(file));

  it('duplicated and shuffled Service Health copies give exactly open, update, resolve, update', async () => {
    for (const seed of [1, 2, 3]) {
      const inputs = shuffleWithSeed([...serviceHealth, ...serviceHealth], seed);
      const { code, decisions } = await ingest(['--data', newDataDir(), ...inputs]);
      expect(code).toBe(0);
      expect(decisions).toHaveLength(18);
      const kinds = decisions.map((d) => d.decision);
      expect(kinds.filter((k) => k !== 'duplicate').sort()).toEqual(['open', 'resolve', 'update', 'update']);
      expect(kinds.filter((k) => k === 'duplicate')).toHaveLength(14);
    }
  });

  it('a bad file: exit 2, one line naming it, the other files still ingested', async () => {
    const data = newDataDir();
    const bad = join(root, 'not-json.json');
    writeFileSync(bad, '{"schemaId": ');
    const missing = join(root, 'missing.json');
    const [first, second] = serviceHealth;
    const { code, decisions, stderr } = await ingest([
      '--data',
      data,
      first ?? '',
      bad,
      second ?? '',
      missing,
    ]);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^crosswatch: ingest: .*not-json\.json: input is not valid JSON \(/);
    expect(lines[1]).toMatch(/^crosswatch: ingest: .*missing\.json: no such file$/);
    expect(lines[2]).toBe('ingested 2 inputs, 2 decisions; 2 files failed');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(decisions.map((d) => d.decision)).toEqual(['open', 'duplicate']);
    // What was accepted stays accepted.
    const again = await ingest(['--data', data, first ?? '']);
    expect(again.decisions.map((d) => d.decision)).toEqual(['duplicate']);
  });

  it('JSON lines: a bad line rejects the file, naming the line and the field', async () => {
    const lines = readFileSync(scenarioFiles[0] ?? '', 'utf8')
      .trim()
      .split('\n');
    const event = JSON.parse(lines[1] ?? '{}');
    event.data.outcome = 'sideways';
    const file = join(root, 'bad-line.json');
    writeFileSync(file, `${lines[0]}\n${JSON.stringify(event)}\n`);
    const { code, decisions, stderr } = await ingest(['--data', newDataDir(), file]);
    expect(code).toBe(2);
    expect(decisions).toEqual([]);
    expect(stderr.split('\n')[0]).toMatch(/^crosswatch: ingest: .*bad-line\.json: line 2: .*outcome/);
    expect(stderr).toMatch(/ingested 0 inputs, 0 decisions; 1 file failed\n$/);
  });

  it('a one-line payload is a payload; several lines of payloads are not event JSON lines', async () => {
    const webhook = JSON.stringify(JSON.parse(readFileSync(serviceHealth[0] ?? '', 'utf8')));
    const oneLine = join(root, 'one-line-webhook.json');
    writeFileSync(oneLine, `${webhook}\n`);
    const single = await ingest(['--data', newDataDir(), oneLine]);
    expect(single.code).toBe(0);
    expect(single.decisions.map((d) => d.decision)).toEqual(['open']);
    const twoLines = join(root, 'two-webhooks.json');
    writeFileSync(twoLines, `${webhook}\n${webhook}\n`);
    const both = await ingest(['--data', newDataDir(), twoLines]);
    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toMatch(
      /two-webhooks\.json: line 1: not a crosswatch event \(no type\); JSON lines must be events as crosswatch normalize or crosswatch probe --json print them$/,
    );
  });

  it('JSON lines of provider events as crosswatch normalize prints them', async () => {
    const normalized = captureIo();
    expect(await runCli(['normalize', ...serviceHealth.slice(0, 2)], normalized.io)).toBe(0);
    const file = join(root, 'provider-events.jsonl');
    writeFileSync(file, normalized.stdout());
    const { code, decisions } = await ingest(['--data', newDataDir(), file]);
    expect(code).toBe(0);
    expect(decisions.map((d) => `${d.decision} ${d.input.replace(/^.*\//, '')}`)).toEqual([
      'open provider-events.jsonl:1',
      'duplicate provider-events.jsonl:2',
    ]);
    const broken = normalized
      .stdout()
      .replace('"updatedAt":"2026-02-02T20:01:12.441Z"', '"updatedAt":"yesterday"');
    writeFileSync(file, broken);
    const bad = await ingest(['--data', newDataDir(), file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/provider-events\.jsonl: line 1: field data\.updatedAt /);
  });

  it('keeps each raw input in the evidence archive under the hash its events point to', async () => {
    const data = newDataDir();
    const { code } = await ingest(['--data', data, serviceHealth[0] ?? '']);
    expect(code).toBe(0);
    const input = readFileSync(serviceHealth[0] ?? '');
    const db = new Database(join(data, 'evidence.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM evidence').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    const archive = createSqliteEvidenceArchive({ path: join(data, 'evidence.db') });
    try {
      const found = await archive.get(`sha256:${createHash('sha256').update(input).digest('hex')}`);
      expect(found?.record.kind).toBe('input:azure-monitor-common');
      expect(Buffer.from(found?.bytes ?? []).equals(input)).toBe(true);
    } finally {
      await archive.close();
    }
  });

  it('a silenced incident: its decisions print as suppressed with the silence reason', async () => {
    const data = newDataDir();
    const added = captureIo();
    expect(
      await runCli(
        [
          'silence',
          'add',
          '--data',
          data,
          '--incident',
          'azure:FNJ8-*',
          '--start',
          '2026-02-02T19:00:00Z',
          '--end',
          '2026-02-06T00:00:00Z',
          '--json',
        ],
        added.io,
      ),
    ).toBe(0);
    const silence = JSON.parse(added.stdout());
    const { code, decisions } = await ingest(['--data', data, ...serviceHealth]);
    expect(code).toBe(0);
    const notDuplicates = decisions.filter((d) => d.decision !== 'duplicate');
    expect(notDuplicates.map((d) => `${d.decision} ${d.suppressedKind} ${d.reason}`)).toEqual([
      `suppressed open silence:${silence.id}`,
      `suppressed update silence:${silence.id}`,
      `suppressed resolve silence:${silence.id}`,
      `suppressed update silence:${silence.id}`,
    ]);
  });
});

describe('crosswatch ingest: standard input', () => {
  it('reads - from stdin', async () => {
    const harness = captureIo(readFileSync(scenarioFiles[3] ?? '', 'utf8'));
    expect(await runCli(['ingest', '--json', '--data', newDataDir(), '-'], harness.io)).toBe(0);
    expect(JSON.parse(harness.stdout())).toMatchObject({ decision: 'open', input: 'stdin' });
    expect(harness.stderr()).toBe('ingested 1 input, 1 decision\n');
  });
});

describe('crosswatch ingest: clocks and timers', () => {
  it('timers run after the inputs: an unacknowledged provider-outage escalates', async () => {
    // An unrelated provider incident at 20:10 moves the input clock 21 minutes past the outage start.
    const normalized = captureIo();
    expect(await runCli(['normalize', scenarioFiles[3] ?? ''], normalized.io)).toBe(0);
    const event = JSON.parse(normalized.stdout());
    event.subject = event.data.incidentKey = 'azure:ZZZZ-999';
    event.data.updateKey = 'azure:ZZZZ-999:1:active';
    event.data.services = ['Exchange Online'];
    event.time = event.data.updatedAt = '2026-02-02T20:10:00.000Z';
    const file = join(root, 'unrelated.json');
    writeFileSync(file, `${JSON.stringify(event)}\n`);
    const { code, decisions } = await ingest(['--data', newDataDir(), ...scenarioFiles.slice(0, 3), file]);
    expect(code).toBe(0);
    expect(decisions.at(-2)).toMatchObject({ decision: 'open', incidentKey: 'azure:ZZZZ-999' });
    expect(decisions.at(-1)).toMatchObject({
      decision: 'escalate',
      reason: 'unacknowledged',
      incidentKey: 'probe:control-arm-compute',
      updateKey: 'escalate:unacknowledged:probe:control-arm-compute:1',
      verdict: 'provider-outage',
      input: 'timers',
      decidedAt: '2026-02-02T20:10:00.000Z',
    });
  });

  it("--clock system decides at this machine's time", async () => {
    const { code, decisions } = await ingest([
      '--data',
      newDataDir(),
      '--clock',
      'system',
      scenarioFiles[3] ?? '',
    ]);
    expect(code).toBe(0);
    // The harness clock.
    expect(decisions).toMatchObject([{ decision: 'open', decidedAt: '2026-01-22T10:00:00.000Z' }]);
  });
});

describe('crosswatch ingest: usage', () => {
  it.each([
    [['--bogus', 'x.json'], /^crosswatch: ingest: Unknown option '--bogus'/],
    [['--clock', 'never', 'x.json'], /^crosswatch: ingest: --clock must be input or system/],
    [[], /^crosswatch: ingest: give at least one FILE/],
    [['--data'], /^crosswatch: ingest: Option '--data <value>' argument missing/],
  ])('%j exits 2 with one line naming the flag', async (args, pattern) => {
    const harness = captureIo();
    expect(await runCli(['ingest', ...args], harness.io)).toBe(2);
    expect(harness.stderr().trim().split('\n')).toHaveLength(1);
    expect(harness.stderr()).toMatch(pattern);
  });

  it('--config: an engine section is used; a bad field is named', async () => {
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ engine: { probe: { openAfterConsecutive: 2 } }, notify: {} }));
    const { code, decisions } = await ingest([
      '--data',
      newDataDir(),
      '--config',
      config,
      ...scenarioFiles.slice(0, 2),
    ]);
    expect(code).toBe(0);
    expect(decisions.some((d) => d.decision === 'open')).toBe(true);
    for (const [engine, message] of [
      [
        { probe: { openAfterConsecutive: 0 } },
        'field engine.probe.openAfterConsecutive must be an integer ≥ 1',
      ],
      [{ verdict: { quorom: 2 } }, 'unknown field engine.verdict.quorom'],
      [{ verdict: 3 }, 'field engine.verdict must be an object'],
    ] as const) {
      writeFileSync(config, JSON.stringify({ engine }));
      const harness = captureIo();
      expect(await runCli(['ingest', '--config', config, scenarioFiles[0] ?? ''], harness.io)).toBe(2);
      expect(harness.stderr()).toBe(`crosswatch: ingest: --config ${config}: ${message}\n`);
    }
  });

  it('--data naming a file is a one-line error', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    const harness = captureIo();
    expect(await runCli(['ingest', '--data', file, scenarioFiles[0] ?? ''], harness.io)).toBe(2);
    expect(harness.stderr()).toBe(`crosswatch: ingest: --data ${file}: is not a directory\n`);
  });

  it('--help', async () => {
    const harness = captureIo();
    expect(await runCli(['ingest', '--help'], harness.io)).toBe(0);
    expect(harness.stdout()).toMatch(/^Usage: crosswatch ingest \[options\] FILE\.\.\./);
  });
});
