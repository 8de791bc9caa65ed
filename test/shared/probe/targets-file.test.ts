import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeAddress } from '../../../shared/probe/target-types.ts';
import { parseTargetsFile, TargetsFileError } from '../../../shared/probe/targets-file.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/probe-targets/${name}`, import.meta.url));

function problem(text: string): TargetsFileError {
  try {
    parseTargetsFile(text);
  } catch (error) {
    if (error instanceof TargetsFileError) return error;
    throw error;
  }
  throw new Error('expected a TargetsFileError');
}

describe('parseTargetsFile', () => {
  it('reads the documented example with defaults filled in', () => {
    const file = parseTargetsFile(fixture('example.json'));
    expect(file.targets).toHaveLength(9);
    expect(file.disable).toEqual(['edge-security-microsoft']);
    expect(file.catalog).toEqual({
      tenantId: '00000000-0000-0000-0000-000000000000',
      tenantDomain: 'contoso.com',
      regions: ['westeurope'],
    });
    const [arm, app, dns, tls, tcp, smtp, , feed, control] = file.targets;
    expect(arm).toMatchObject({
      kind: 'http',
      method: 'GET',
      control: false,
      expect: { status: [401], maxLatencyMs: 3000 },
    });
    expect(app).toMatchObject({
      name: 'Our app through Front Door',
      timeoutMs: 4000,
      expect: { keyword: 'ok' },
    });
    expect(dns).toMatchObject({ type: 'CNAME', resolvers: ['system', '1.1.1.1', '8.8.8.8:53'] });
    expect(tls).toMatchObject({ port: 443, minCertDays: 21 });
    expect(tcp).toMatchObject({ host: 'contoso.database.windows.net', port: 1433 });
    expect(smtp).toMatchObject({ requireStartTls: true, port: 25 });
    expect(feed).toMatchObject({ disabled: true });
    expect(control).toMatchObject({ control: true, plane: 'control-target', name: 'ctl-https-example' });
  });

  it('names the entry and the field of a bad value', () => {
    const error = problem(fixture('bad-port.json').toString());
    expect(error.entry).toBe('targets[1] (id "smtp-bad-port")');
    expect(error.field).toBe('port');
    expect(error.message).toBe(
      'targets[1] (id "smtp-bad-port"): field "port" must be an integer from 1 to 65535',
    );
  });

  it('refuses unknown fields and expectations instead of ignoring a typo', () => {
    expect(problem(fixture('unknown-expectation.json').toString()).message).toBe(
      'targets[0] (id "edge-typo"): field "expect.statuses" is not a http expectation (known: status, maxLatencyMs, keyword, regex, minCertDays)',
    );
    expect(
      problem('{"targets":[{"id":"a","kind":"tcp","plane":"data","host":"h","port":1,"url":"x"}]}').field,
    ).toBe('url');
  });

  it('names an entry without an id by its index', () => {
    expect(problem(fixture('missing-id.json').toString()).message).toBe(
      'targets[0]: field "id" must be a non-empty string',
    );
  });

  it('checks kinds, planes, URLs, resolvers, regexes, statuses and duplicate ids', () => {
    const entry = (fields: Record<string, unknown>) =>
      problem(JSON.stringify({ targets: [{ id: 'x', plane: 'edge', ...fields }] }));
    expect(entry({ kind: 'ping' }).field).toBe('kind');
    expect(entry({ kind: 'http', url: 'https://a/', plane: 'cloud' }).field).toBe('plane');
    expect(entry({ kind: 'http', url: 'ftp://a/' }).message).toContain('must use http or https');
    expect(entry({ kind: 'http', url: 'not a url' }).field).toBe('url');
    expect(entry({ kind: 'dns', name: 'a', resolvers: ['dns.google'] }).field).toBe('resolvers');
    expect(entry({ kind: 'dns', name: 'a', type: 'SRV' }).field).toBe('type');
    expect(entry({ kind: 'http', url: 'https://a/', expect: { regex: '(' } }).field).toBe('expect.regex');
    expect(entry({ kind: 'http', url: 'https://a/', expect: { status: [200, 700] } }).field).toBe(
      'expect.status',
    );
    expect(entry({ kind: 'tcp', host: 'a' }).field).toBe('port');
    expect(entry({ kind: 'tls', host: 'a', ca: 'not pem' }).field).toBe('ca');
    const duplicate = problem(
      JSON.stringify({
        targets: [
          { id: 'a', kind: 'tcp', plane: 'data', host: 'h', port: 1 },
          { id: 'a', kind: 'tcp', plane: 'data', host: 'h', port: 2 },
        ],
      }),
    );
    expect(duplicate.message).toBe('targets[1] (id "a"): field "id" repeats an earlier target id');
  });

  it('refuses a file that is not JSON or not an object with targets', () => {
    expect(problem('{').message).toMatch(/^targets file is not valid JSON/);
    expect(problem('[]').message).toBe('targets file must be a JSON object with "targets"');
    expect(problem('{"target": []}').field).toBe('target');
    expect(problem('{"catalog": {"tenant": "x"}}').field).toBe('tenant');
  });

  it('reports URLs without query strings or credentials (they may hold secrets)', () => {
    const [target] = parseTargetsFile(
      JSON.stringify({
        targets: [{ id: 'a', kind: 'http', plane: 'edge', url: 'https://user:pw@h.example/p?code=SECRET#x' }],
      }),
    ).targets;
    expect(target && describeAddress(target)).toBe('https://h.example/p');
  });
});
