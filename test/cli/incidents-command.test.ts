/**
 * `crosswatch incidents` over a data directory filled by `crosswatch ingest` (real SQLite file).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { captureIo } from '../helpers/cli-harness.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/2026-02-02-vm-service-management/', import.meta.url));
const files = readdirSync(SCENARIO)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => join(SCENARIO, name));
const root = mkdtempSync(join(tmpdir(), 'crosswatch-incidents-'));
const data = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(args: string[]) {
  const harness = captureIo();
  const code = await runCli(args, harness.io);
  return { code, stdout: harness.stdout(), stderr: harness.stderr() };
}

const parseLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

describe('crosswatch incidents', () => {
  beforeAll(async () => {
    // Up to Microsoft's second communication: both incidents are open.
    const first = files.filter((file) => /\/0[1-8]-/.test(file));
    expect((await run(['ingest', '--data', data, ...first])).code).toBe(0);
  });

  it('lists open incidents with status, verdict, acknowledgement, lead time and scope', async () => {
    const { code, stdout, stderr } = await run(['incidents', '--data', data]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(
      'OPEN     probe:control-arm-compute  ARM Microsoft.Compute (VM service management) (control plane)  [critical]',
    );
    expect(stdout).toContain(
      'verdict provider-outage · detected 2026-02-02T19:49:01.855Z · acknowledged by azure:FNJ8-VQZ at 2026-02-02T20:01:12.441Z · lead time +12m 11s',
    );
    expect(stdout).toContain('failing from 2/2 vantages (aws-eu-west-1, aws-us-east-1)');
    expect(stdout).toContain(
      'OPEN     azure:FNJ8-VQZ  Virtual Machines - Service management operation failures',
    );
    expect(stdout).toContain('provider incident · acknowledges probe:control-arm-compute');
    expect(stdout).toMatch(
      /services: Virtual Machines, Virtual Machine Scale Sets, Azure Kubernetes Service, Azure DevOps · regions: East US, East US 2, West US, West Europe \(\+3\) · scope: 2 subscriptions, 0 accounts, 0 tenants, 0 resources/,
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('2 incidents');
  });

  it('--json: one object per incident with incidentKey, status and scope', async () => {
    const { code, stdout } = await run(['incidents', '--data', data, '--json']);
    expect(code).toBe(0);
    const incidents = parseLines(stdout);
    expect(incidents.map((i) => [i.incidentKey, i.status, i.verdict])).toEqual([
      ['probe:control-arm-compute', 'open', 'provider-outage'],
      ['azure:FNJ8-VQZ', 'open', null],
    ]);
    for (const incident of incidents) {
      expect(Object.keys(incident.scope).sort()).toEqual([
        'accountIds',
        'resourceIds',
        'subscriptionIds',
        'tenantIds',
      ]);
    }
    expect(incidents[0]).toMatchObject({
      acknowledged: true,
      acknowledgedAt: '2026-02-02T20:01:12.441Z',
      detectedAt: '2026-02-02T19:49:01.855Z',
      leadTimeMs: 730_586,
    });
    expect(incidents[1]).toMatchObject({ acknowledged: null, scopeCounts: { subscriptions: 2 } });
  });

  it('--kind filters provider or probe incidents', async () => {
    const probe = parseLines((await run(['incidents', '--data', data, '--json', '--kind', 'probe'])).stdout);
    expect(probe.map((i) => i.incidentKey)).toEqual(['probe:control-arm-compute']);
    const provider = parseLines(
      (await run(['incidents', '--data', data, '--json', '--kind', 'provider'])).stdout,
    );
    expect(provider.map((i) => i.incidentKey)).toEqual(['azure:FNJ8-VQZ']);
  });

  it('resolved incidents show only with --all', async () => {
    const rest = files.filter((file) => !/\/0[1-8]-/.test(file));
    expect((await run(['ingest', '--data', data, ...rest])).code).toBe(0);
    const open = await run(['incidents', '--data', data]);
    expect(open.stdout).toBe('0 incidents (2 more not shown; --all includes resolved)\n');
    expect(parseLines((await run(['incidents', '--data', data, '--json'])).stdout)).toEqual([]);
    const all = parseLines((await run(['incidents', '--data', data, '--json', '--all'])).stdout);
    expect(all.map((i) => `${i.incidentKey} ${i.status} ${i.resolvedAt}`)).toEqual([
      'probe:control-arm-compute resolved 2026-02-03T00:32:00.262Z',
      'azure:FNJ8-VQZ resolved 2026-02-03T00:30:00.000Z',
    ]);
    const text = (await run(['incidents', '--data', data, '--all'])).stdout;
    expect(text).toContain('RESOLVED probe:control-arm-compute');
    expect(text.trim().split('\n').at(-1)).toBe('2 incidents');
  });

  it('an empty data directory lists nothing', async () => {
    const { code, stdout } = await run(['incidents', '--data', join(root, 'empty')]);
    expect(code).toBe(0);
    expect(stdout).toBe('0 incidents\n');
  });

  it.each([
    [['--kind', 'vm'], /^crosswatch: incidents: --kind must be provider or probe/],
    [['--bogus'], /^crosswatch: incidents: Unknown option '--bogus'/],
    [['extra'], /^crosswatch: incidents: unexpected argument "extra"/],
  ])('%j exits 2 with one line naming the flag', async (args, pattern) => {
    const { code, stderr } = await run(['incidents', '--data', data, ...args]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(pattern);
  });

  it('--help', async () => {
    const { code, stdout } = await run(['incidents', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: crosswatch incidents/);
  });
});
