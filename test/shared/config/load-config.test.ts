import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/crosswatch-config.ts';
import { loadConfig } from '../../../shared/config/load-config.ts';
import { validateConfig } from '../../../shared/config/validate-config.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(document: unknown, name = 'crosswatch.config.json'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document));
  return path;
}

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<string> {
  try {
    await loadConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('starts with no file and no variables: loopback, SQLite in ./.crosswatch, console sink, default catalog', async () => {
    const config = await loadConfig({ env: {}, cwd: dir });
    expect(config.source).toBe('defaults');
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 7071,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      maxConnections: 1000,
    });
    expect(config.dataDir).toBe(join(dir, '.crosswatch'));
    expect(config.store).toEqual({ kind: 'sqlite', path: join(dir, '.crosswatch', 'crosswatch.db') });
    expect(config.evidence).toEqual({
      kind: 'sqlite',
      path: join(dir, '.crosswatch', 'evidence.db'),
      retentionDays: 30,
    });
    expect(config.vantage).toEqual({ id: 'local', cloud: 'local', region: '' });
    expect(config.probes).toMatchObject({
      enabled: true,
      catalog: 'default',
      targetsFile: null,
      timeoutMs: 5000,
      concurrency: 16,
      controls: true,
      tenant: {},
      schedule: { kind: 'interval', everyMs: 60_000 },
    });
    expect(config.notify.sinks.map((sink) => sink.kind)).toEqual(['console']);
    expect(config.notify.defaultRoute.sinks).toEqual(['console']);
    expect(config.webhook).toEqual({
      tokens: [],
      entra: null,
      standardWebhookSecrets: [],
      maxBodyBytes: 1048576,
      allowedSubscriptionIds: [],
    });
    // Alone, a deployment judges from its own vantage: a majority of one.
    expect(config.engine.verdict.quorum).toBe(1);
    expect(config.mesh.peers).toEqual([]);
    expect(config.pollers.azureResourceHealth).toBeNull();
    expect(config.log).toEqual({ level: 'info', format: 'auto' });
  });

  it('reads crosswatch.config.json from the working directory, with $schema', async () => {
    await writeConfig({
      $schema: './schema/crosswatch-config.schema.json',
      server: { port: 8080 },
      probes: { schedule: '*/2 * * * *', tenant: { tenantDomain: 'contoso.com', regions: ['westeurope'] } },
      engine: { verdict: { quorum: 3 } },
      webhook: { tokens: ['a-long-enough-secret-token'] },
    });
    const config = await loadConfig({ env: {}, cwd: dir });
    expect(config.source).toBe('crosswatch.config.json');
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      maxConnections: 1000,
    });
    expect(config.probes.schedule).toEqual({ kind: 'cron', expression: '*/2 * * * *', text: '*/2 * * * *' });
    expect(config.probes.tenant).toEqual({ tenantDomain: 'contoso.com', regions: ['westeurope'] });
    expect(config.engine.verdict.quorum).toBe(3);
    expect(config.engine.verdict.freshnessMs).toBe(300_000);
    expect(config.secrets).toContain('a-long-enough-secret-token');
  });

  it('layers CROSSWATCH_CONFIG and CROSSWATCH_* variables over the file, and flags over both', async () => {
    await writeConfig({ server: { port: 8080 }, vantage: { id: 'file' } });
    const config = await loadConfig({
      env: {
        CROSSWATCH_CONFIG: JSON.stringify({ vantage: { id: 'inline', cloud: 'aws', region: 'eu-west-1' } }),
        CROSSWATCH_VANTAGE_ID: 'aws-eu-west-1',
        CROSSWATCH_WEBHOOK_TOKENS: 'first-token-0123456789, second-token-0123456789',
        CROSSWATCH_PROBES_ENABLED: 'false',
        CROSSWATCH_STORE_KIND: 'dynamodb',
        CROSSWATCH_STORE_TABLE_NAME: 'crosswatch',
        CROSSWATCH_STORE_REGION: 'eu-west-1',
      },
      cwd: dir,
      overrides: [{ path: 'server.port', value: 9090, source: '--port' }],
    });
    expect(config.vantage).toEqual({ id: 'aws-eu-west-1', cloud: 'aws', region: 'eu-west-1' });
    expect(config.server.port).toBe(9090);
    expect(config.webhook.tokens).toEqual(['first-token-0123456789', 'second-token-0123456789']);
    expect(config.probes.enabled).toBe(false);
    expect(config.store).toEqual({
      kind: 'dynamodb',
      tableName: 'crosswatch',
      client: { region: 'eu-west-1' },
    });
    expect(config.source).toBe('crosswatch.config.json + CROSSWATCH_CONFIG + 6 CROSSWATCH_* variables');
  });
});

describe('loadConfig errors: one line naming the setting', () => {
  it.each<[string, unknown, string]>([
    [
      'an out-of-range timeout',
      { probes: { timeoutMs: 50 } },
      'crosswatch.config.json: probes.timeoutMs: must be an integer between 100 and 60000',
    ],
    [
      'a fractional port',
      { server: { port: 70.5 } },
      'crosswatch.config.json: server.port: must be an integer between 0 and 65535',
    ],
    [
      'an unknown key',
      { probes: { timeoutMS: 5000 } },
      'crosswatch.config.json: probes.timeoutMS: unknown setting (known: enabled, catalog, targetsFile, schedule, timeoutMs, concurrency, controls, tenant)',
    ],
    ['an unknown section', { probe: {} }, 'crosswatch.config.json: probe: unknown setting'],
    [
      'an unknown store kind',
      { store: { kind: 'postgres' } },
      'crosswatch.config.json: store.kind: must be one of "sqlite", "memory", "azure-table", "dynamodb"',
    ],
    [
      'a missing required option',
      { store: { kind: 'dynamodb' } },
      'crosswatch.config.json: store.tableName: is required',
    ],
    [
      'a bad enum',
      { vantage: { cloud: 'gcp' } },
      'crosswatch.config.json: vantage.cloud: must be one of "local", "azure", "aws", "other"',
    ],
    [
      'a short token',
      { webhook: { tokens: ['short'] } },
      'crosswatch.config.json: webhook.tokens[0]: must be at least 16 characters',
    ],
    [
      'a bad schedule',
      { probes: { schedule: 'often' } },
      'crosswatch.config.json: probes.schedule: must be an interval',
    ],
    [
      'a bad cron',
      { probes: { schedule: '61 * * * *' } },
      'crosswatch.config.json: probes.schedule: is not a valid cron expression',
    ],
    [
      'an unknown engine setting',
      { engine: { verdict: { quorom: 2 } } },
      'crosswatch.config.json: engine.verdict.quorom: unknown setting',
    ],
    [
      'a bad engine value',
      { engine: { verdict: { quorum: 0 } } },
      'crosswatch.config.json: engine.verdict.quorum: must be an integer ≥ 1',
    ],
    [
      'a bad sink',
      { notify: { sinks: [{ kind: 'pager', name: 'x' }] } },
      'crosswatch.config.json: notify.sinks[0]',
    ],
    [
      'an Entra section without audience',
      { webhook: { entra: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' } } },
      'crosswatch.config.json: webhook.entra.audience: is required',
    ],
    [
      'an evidence archive missing its bucket',
      { evidence: { kind: 's3' } },
      'crosswatch.config.json: evidence.bucket: is required for kind s3',
    ],
    [
      'an unknown AWS Health API view',
      { pollers: { awsHealth: { view: 'org' } } },
      'crosswatch.config.json: pollers.awsHealth.view: must be one of "account", "organization"',
    ],
    [
      'an AWS Health API region that is not one',
      { pollers: { awsHealth: { region: 'US East' } } },
      'crosswatch.config.json: pollers.awsHealth.region: must match',
    ],
  ])('%s', async (_label, document, expected) => {
    await writeConfig(document);
    const message = await loadError({ env: {}, cwd: dir });
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('names the variable that set a bad value', async () => {
    expect(await loadError({ env: { CROSSWATCH_PROBES_TIMEOUT_MS: '50' }, cwd: dir })).toBe(
      'CROSSWATCH_PROBES_TIMEOUT_MS: must be an integer between 100 and 60000',
    );
    expect(await loadError({ env: { CROSSWATCH_SERVER_PORT: 'eighty' }, cwd: dir })).toBe(
      'CROSSWATCH_SERVER_PORT: must be an integer',
    );
    expect(await loadError({ env: { CROSSWATCH_PROBES_ENABLED: 'maybe' }, cwd: dir })).toBe(
      'CROSSWATCH_PROBES_ENABLED: must be true or false',
    );
  });

  it('names an unresolved Key Vault reference', async () => {
    const message = await loadError({
      env: {
        CROSSWATCH_WEBHOOK_TOKENS: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/t/)',
      },
      cwd: dir,
    });
    expect(message).toMatch(/^CROSSWATCH_WEBHOOK_TOKENS: is an unresolved Key Vault reference/);
  });

  it('names CROSSWATCH_CONFIG and a flag', async () => {
    expect(await loadError({ env: { CROSSWATCH_CONFIG: '{"server": {"port": -1}}' }, cwd: dir })).toBe(
      'CROSSWATCH_CONFIG: server.port: must be an integer between 0 and 65535',
    );
    expect(await loadError({ env: { CROSSWATCH_CONFIG: '{nope' }, cwd: dir })).toMatch(
      /^CROSSWATCH_CONFIG: is not valid JSON/,
    );
    expect(
      await loadError({
        env: {},
        cwd: dir,
        overrides: [{ path: 'server.port', value: 70000, source: '--port' }],
      }),
    ).toBe('--port: must be an integer between 0 and 65535');
  });

  it('names a missing or broken explicit file', async () => {
    expect(await loadError({ file: 'missing.json', env: {}, cwd: dir })).toBe(
      `${join(dir, 'missing.json')}: no such file`,
    );
    const broken = await writeConfig('{"server": ', 'broken.json');
    expect(await loadError({ file: broken, env: {}, cwd: dir })).toMatch(/broken\.json: is not valid JSON/);
    await writeConfig('[1, 2]', 'list.json');
    expect(await loadError({ file: 'list.json', env: {}, cwd: dir })).toBe(
      'list.json: must hold a JSON object',
    );
  });
});

describe('validateConfig', () => {
  it('validates a parsed document and names its source', () => {
    expect(() => validateConfig({ log: { level: 'loud' } }, 'app settings')).toThrow(
      'app settings: log.level: must be one of "debug", "info", "warn", "error"',
    );
    const config = validateConfig({ store: { kind: 'memory' }, evidence: { kind: 'none' } }, 'test', {
      cwd: dir,
    });
    expect(config.store).toEqual({ kind: 'memory' });
    expect(config.evidence).toEqual({ kind: 'none', retentionDays: 30 });
  });

  it("keeps the evidence directory kind, and resolves either kind's path against the data directory", () => {
    const evidenceOf = (evidence: Record<string, unknown>) =>
      validateConfig({ dataDir: 'data', evidence }, 'test', { cwd: dir }).evidence;
    expect(evidenceOf({ kind: 'directory' })).toEqual({
      kind: 'directory',
      path: join(dir, 'data', 'evidence'),
      retentionDays: 30,
    });
    expect(evidenceOf({ kind: 'sqlite', path: 'elsewhere/e.db' })).toEqual({
      kind: 'sqlite',
      path: join(dir, 'elsewhere', 'e.db'),
      retentionDays: 30,
    });
  });

  it('reads the AWS Health API poller: off unless configured, the account view in us-east-1 by default', () => {
    expect(validateConfig({}, 'test', { cwd: dir }).pollers.awsHealth).toBeNull();
    expect(validateConfig({ pollers: { awsHealth: {} } }, 'test', { cwd: dir }).pollers.awsHealth).toEqual({
      enabled: true,
      organizational: false,
      region: 'us-east-1',
    });
    const organization = { pollers: { awsHealth: { view: 'organization', region: 'cn-northwest-1' } } };
    expect(validateConfig(organization, 'test', { cwd: dir }).pollers.awsHealth).toEqual({
      enabled: true,
      organizational: true,
      region: 'cn-northwest-1',
    });
  });
});
