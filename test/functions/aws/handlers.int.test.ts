/**
 * The SQS, EventBridge and scheduled Lambda handlers with saved event fixtures, on dynalite
 * (DynamoDB store) and moto (SQS, Secrets Manager), with loopback servers for probe targets, Graph
 * and the Azure deployment's status, and the real file sink. The pollers' credential in the Graph
 * test is a fake TokenCredential object (protocol-level stand-in checked by the loopback server).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsHealthEvent, handler as awsHealth } from '../../../functions/aws/aws-health.ts';
import { handler as deliver } from '../../../functions/aws/deliver.ts';
import { getLambdaContext } from '../../../functions/aws/lambda-context.ts';
import {
  createLambdaPollerCredential,
  handler as pollProviderHealth,
} from '../../../functions/aws/poll-provider-health.ts';
import { handler as probe } from '../../../functions/aws/probe.ts';
import { handler as processInbox } from '../../../functions/aws/process-inbox.ts';
import type { SchedulerInput } from '../../../functions/aws/scheduled-event.ts';
import { handler as watchdog } from '../../../functions/aws/watchdog.ts';
import { createInboxEntry, INBOX_COLLECTION, type StoredInboxEntry } from '../../../shared/inbox/inbox.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createNoopMetrics } from '../../../shared/observability/metrics.ts';
import { processInboxEntry } from '../../../shared/pipeline/process-inbox-entry.ts';
import { type LambdaHarness, loadLambdaFixture, startLambdaApp } from '../../helpers/lambda-app.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const sqsBatch = loadLambdaFixture<SQSEvent>('sqs-inbox-batch-one-poison.json');
const schedulerEvent = loadLambdaFixture<SchedulerInput>('eventbridge-scheduler-event.json');
const scheduledRule = loadLambdaFixture<Record<string, unknown>>('eventbridge-scheduled-event.json');
const healthEvent = loadLambdaFixture<AwsHealthEvent>('aws-health-event.json');
const NOW = new Date('2026-11-29T12:00:30Z');

let app: LambdaHarness;
let server: Loopback;
let azureHeartbeat: string | null = null;
let azureDown = false;
const graphCredential: TokenCredential = {
  getToken: async () => ({ token: 'graph-from-aws-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

beforeAll(async () => {
  app = await startLambdaApp();
  server = await startHttpServer((request, response) => {
    const send = (code: number, body: unknown) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/healthz') return send(200, { ok: true });
    if (String(request.headers['x-amz-target']).startsWith('AWSHealth_20160804.')) {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'SubscriptionRequiredException', message: 'no support plan' }));
      return;
    }
    if (request.url?.startsWith('/azure/api/status')) {
      if (azureDown) return send(503, {});
      return send(200, {
        deploymentId: 'azure',
        heartbeat: { lastHeartbeatAt: azureHeartbeat },
        openIncidents: [],
      });
    }
    if (request.url?.startsWith('/v1.0/admin/serviceAnnouncement/issues')) {
      if (request.headers.authorization !== 'Bearer graph-from-aws-token') return send(401, {});
      return send(503, {});
    }
    return send(404, {});
  });
}, 90_000);
afterAll(async () => {
  await server?.close();
  await app?.stop();
});

describe('processInbox (SQS, ReportBatchItemFailures)', () => {
  it('reports only the failing record of the batch; the others reach the sinks', async () => {
    await app.configure({ now: () => NOW });
    const result = await processInbox(sqsBatch, app.context('processInbox'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sqsBatch.Records[1]?.messageId }]);
    const sent = app.notifications().map((line) => (line.message as { incidentKey: string }).incidentKey);
    expect(sent.some((key) => key.startsWith('azure:'))).toBe(true);
    expect(sent.some((key) => key.startsWith('aws:'))).toBe(true);
    const emf = app.records().find((record) => 'inbox.record_failed' in record);
    expect(emf).toMatchObject({ 'inbox.record_failed': 1, queue: 'inbox', deployment: 'aws-eu-west-1' });
  });

  it('redelivery of the same batch sends nothing new', async () => {
    const before = app.notifications().length;
    const result = await processInbox(sqsBatch, app.context('processInbox'));
    expect(result.batchItemFailures).toHaveLength(1);
    expect(app.notifications()).toHaveLength(before);
  });

  it('reports every record when the store is down, so SQS retries them all', async () => {
    await app.configure({
      now: () => NOW,
      env: {
        CROSSWATCH_CONFIG: JSON.stringify({
          store: {
            kind: 'dynamodb',
            tableName: 'crosswatch-state',
            endpoint: 'http://127.0.0.1:1',
            region: 'us-east-1',
          },
          evidence: { kind: 'none' },
        }),
      },
    });
    const result = await processInbox(sqsBatch, app.context('processInbox'));
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      sqsBatch.Records.map((record) => record.messageId),
    );
    await app.configure({ now: () => NOW });
  });
});

describe('scheduled and EventBridge handlers', () => {
  it('probe runs one round keyed by the scheduled time of the Scheduler event', async () => {
    const targets = join(app.dir, 'targets.json');
    writeFileSync(
      targets,
      JSON.stringify({
        targets: [{ id: 'azure-app', kind: 'http', plane: 'data', url: `${server.url}/healthz` }],
      }),
    );
    await app.configure({
      now: () => NOW,
      env: { CROSSWATCH_PROBES_CATALOG: 'none', CROSSWATCH_PROBES_TARGETS_FILE: targets },
    });
    const result = await probe(schedulerEvent, app.context('probe'));
    expect(result.roundId).toBe('r-20261129T120000Z-aws-eu-west-1');
    const again = await probe(scheduledRule as never, app.context('probe'));
    expect(again.roundId).toBe(result.roundId);
    const emf = app.records().find((record) => 'probe.result' in record);
    expect(emf).toMatchObject({ target: 'azure-app', outcome: 'up', vantage: 'aws-eu-west-1' });
  });

  it('awsHealth decides the aws.health event and notifies once; the backup-region copy is a duplicate', async () => {
    await app.configure({ now: () => NOW });
    const first = await awsHealth(healthEvent, app.context('awsHealth'));
    expect(first).toMatchObject({ rejected: false, queued: 1 });
    const copy = await awsHealth(
      { ...healthEvent, region: 'us-west-2', id: 'backup-copy' },
      app.context('awsHealth'),
    );
    expect(copy.queued).toBe(0);
  });

  it('awsHealth keeps an unrecognized event as a failed inbox entry without throwing', async () => {
    const result = await awsHealth(
      { ...healthEvent, source: 'aws.other', 'detail-type': 'Something Else', detail: { hello: 1 } },
      app.context('awsHealth'),
    );
    expect(result.rejected).toBe(true);
    const store = await (await getLambdaContext()).runtime.store();
    const page = await store.list<StoredInboxEntry>(INBOX_COLLECTION, { prefix: 'q:' });
    expect(
      page.items.some((item) => item.value.source === 'aws-health' && item.value.state === 'failed'),
    ).toBe(true);
  });

  it('pollProviderHealth builds a ClientSecretCredential from the Secrets Manager secret', async () => {
    const secrets = new SecretsManagerClient({
      endpoint: app.moto.endpoint,
      region: app.moto.region,
      credentials: app.moto.credentials,
    });
    await secrets.send(
      new CreateSecretCommand({
        Name: 'crosswatch/azure-sp',
        SecretString: '{"clientSecret":"sp-secret-value"}',
      }),
    );
    const env = { CROSSWATCH_AZURE_CLIENT_SECRET_REF: 'secretsmanager:crosswatch/azure-sp#clientSecret' };
    await app.configure({ now: () => NOW, env });
    const context = await getLambdaContext();
    const credential = await createLambdaPollerCredential(
      env,
      context.options.aws,
    )({
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: null,
    });
    expect(credential).toBeInstanceOf(ClientSecretCredential);
  });

  it('pollProviderHealth reports an unreachable Graph without leaking the token', async () => {
    await app.configure({
      now: () => NOW,
      env: {
        CROSSWATCH_CONFIG: JSON.parse(JSON.stringify(app.env.CROSSWATCH_CONFIG)).replace(
          /}$/,
          ',"pollers":{"m365":{"credentials":{"tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","clientId":"11111111-2222-3333-4444-555555555555"}}}}',
        ),
      },
      credentialFor: async () => graphCredential,
      pollEndpoints: { graph: `${server.url}/v1.0` },
    });
    const result = await pollProviderHealth(schedulerEvent, app.context('pollProviderHealth'));
    expect(result.sources).toEqual({ 'm365-graph': 'unreachable: HTTP 503' });
    expect(app.lines.join('')).not.toContain('graph-from-aws-token');
  });

  it('pollProviderHealth polls the AWS Health API with CROSSWATCH_AWS_HEALTH_API and names a missing support plan', async () => {
    await app.configure({
      now: () => NOW,
      env: { CROSSWATCH_AWS_HEALTH_API: 'account' },
      pollEndpoints: {
        awsHealth: server.url,
        awsCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      },
    });
    const result = await pollProviderHealth(schedulerEvent, app.context('pollProviderHealth'));
    expect(result.sources).toEqual({
      'aws-health-api':
        'unreachable: SubscriptionRequiredException: the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise Support plan on this account',
    });
  });

  it('watchdog alerts once through the sinks when the Azure heartbeat goes stale, and recovers', async () => {
    let now = new Date('2026-11-29T13:00:00Z');
    azureHeartbeat = new Date(now.getTime() - 60_000).toISOString();
    await app.configure({
      now: () => now,
      env: {
        CROSSWATCH_PEERS: JSON.stringify([
          { id: 'azure', statusUrl: `${server.url}/azure/api/status?code=function-key-secret` },
        ]),
      },
    });
    const fresh = await watchdog(schedulerEvent, app.context('watchdog'));
    expect(fresh.stale).toEqual([]);
    const before = app.notifications().length;
    now = new Date(now.getTime() + 20 * 60_000);
    azureDown = true;
    const stale = await watchdog(schedulerEvent, app.context('watchdog'));
    expect(stale.stale).toEqual(['watchdog:azure']);
    const again = await watchdog(schedulerEvent, app.context('watchdog'));
    expect(again.stale).toEqual([]);
    const sent = app
      .notifications()
      .slice(before)
      .map((line) => line.message as { incidentKey: string; reason: string });
    expect(sent).toEqual([
      expect.objectContaining({ incidentKey: 'watchdog:azure', reason: 'watchdog-stale' }),
    ]);
    azureDown = false;
    azureHeartbeat = now.toISOString();
    const recovered = await watchdog(schedulerEvent, app.context('watchdog'));
    expect(recovered.recovered).toEqual(['watchdog:azure']);
    expect(app.lines.join('')).not.toContain('function-key-secret');
  });

  it('deliver drains what the outbox holds on its schedule', async () => {
    await app.configure({ now: () => NOW });
    const context = await getLambdaContext();
    const deps = await context.runtime.pipeline(createSilentLogger(), createNoopMetrics());
    const body = readFileSync(
      new URL('../../fixtures/aws-health/public-issue-ec2-operational.json', import.meta.url),
    );
    const entry = createInboxEntry(body, {
      source: 'webhook',
      contentType: 'application/json',
      receivedAt: NOW,
    });
    expect((await processInboxEntry(entry, deps)).queued).toBe(1);
    const before = app.notifications().length;
    const result = await deliver(scheduledRule as never, app.context('deliver', 30_000));
    expect(result).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(app.notifications()).toHaveLength(before + 1);
    const drained = app.records().find((record) => record.msg === 'outbox drained');
    expect(drained).toMatchObject({ level: 'info', functionName: 'deliver' });
  });
});
