/**
 * The queue- and timer-triggered functions and the status endpoint with real @azure/functions
 * InvocationContext, Timer and HttpRequest objects, on Azurite (table store, blob evidence, inbox
 * queue), loopback HTTP servers for probe targets, ARM, Graph and a peer's status, and the real file
 * sink. The pollers' credential is a fake TokenCredential object (a protocol-level stand-in the
 * loopback ARM/Graph servers check), not a module mock.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../../../functions/azure/deliver.ts';
import { heartbeat } from '../../../functions/azure/heartbeat.ts';
import { inboxPoison } from '../../../functions/azure/inbox-poison.ts';
import { pollProviderHealth } from '../../../functions/azure/poll-provider-health.ts';
import { probe } from '../../../functions/azure/probe.ts';
import { processInbox } from '../../../functions/azure/process-inbox.ts';
import { status } from '../../../functions/azure/status.ts';
import { watchdog } from '../../../functions/azure/watchdog.ts';
import { createAzureQueueInbox } from '../../../shared/inbox/azure-queue-inbox.ts';
import { createInboxEntry, INBOX_COLLECTION, type StoredInboxEntry } from '../../../shared/inbox/inbox.ts';
import type { StatusDocument } from '../../../shared/mesh/status-document.ts';
import { createAzureTableStore } from '../../../shared/store/azure-table-store.ts';
import { type AzureAppHarness, createTimer, startAzureApp } from '../../helpers/azure-functions-app.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url));
const serviceHealth = fixture('azure-activity-log-webhook/service-health-incident-active.json');
const graphList = JSON.parse(fixture('m365-graph/issues-list-response.json').toString('utf8')) as {
  value: unknown[];
};

let app: AzureAppHarness;
let server: Loopback;
let peerHeartbeat: string | null = null;
let graphDown = false;
const credential: TokenCredential = {
  getToken: async () => ({ token: 'graph-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

beforeAll(async () => {
  app = await startAzureApp();
  server = await startHttpServer((request, response) => {
    const send = (code: number, body: unknown) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/healthz') return send(200, { ok: true });
    if (request.url?.startsWith('/peer/status')) {
      return send(200, {
        deploymentId: 'aws',
        heartbeat: { lastHeartbeatAt: peerHeartbeat },
        openIncidents: [],
      });
    }
    if (request.url?.startsWith('/v1.0/admin/serviceAnnouncement/issues')) {
      if (request.headers.authorization !== 'Bearer graph-test-token') return send(401, {});
      if (graphDown) return send(503, {});
      return send(200, { value: graphList.value });
    }
    return send(404, {});
  });
}, 90_000);
afterAll(async () => {
  await server?.close();
  await app?.stop();
});

async function queuedMessage(): Promise<unknown> {
  const queue = QueueServiceClient.fromConnectionString(app.azurite.connectionString).getQueueClient(
    'crosswatch-inbox',
  );
  const received = await queue.receiveMessages({ numberOfMessages: 1 });
  const item = received.receivedMessageItems[0];
  if (!item) throw new Error('no message on the queue');
  await queue.deleteMessage(item.messageId, item.popReceipt);
  // What the Functions host hands the handler: the base64 text decoded and parsed as JSON.
  return JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
}

function store() {
  return createAzureTableStore({
    connectionString: app.azurite.connectionString,
    tableName: app.env.CROSSWATCH_STORE_TABLE_NAME ?? '',
  });
}

describe('processInbox and inboxPoison', () => {
  it('processes a queued Service Health alert into one notification; the same message again adds none', async () => {
    await app.configure();
    const inbox = createAzureQueueInbox({
      connectionString: app.azurite.connectionString,
      queueName: 'crosswatch-inbox',
    });
    const entry = createInboxEntry(serviceHealth, {
      source: 'service-health',
      contentType: 'application/json',
      receivedAt: new Date(),
    });
    await inbox.put(entry);
    const message = await queuedMessage();
    await processInbox(message, app.context('processInbox', { dequeueCount: 1 }));
    const sent = app.notifications();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ message: { incidentKey: expect.stringMatching(/^azure:/) } });
    await processInbox(message, app.context('processInbox', { dequeueCount: 2 }));
    expect(app.notifications()).toHaveLength(1);
  });

  it('settles an unknown payload as a failed inbox entry instead of retrying it', async () => {
    const entry = createInboxEntry(Buffer.from('{"hello":"world"}'), {
      source: 'service-health',
      contentType: 'application/json',
      receivedAt: new Date(),
    });
    await processInbox({ v: 1, entry }, app.context('processInbox'));
    const page = await store().list<StoredInboxEntry>(INBOX_COLLECTION, { prefix: 'q:' });
    expect(page.items.map((item) => item.value)).toContainEqual(
      expect.objectContaining({
        id: entry.id,
        state: 'failed',
        error: expect.stringContaining('unrecognized'),
      }),
    );
  });

  it('throws on a transient failure so the host retries the message (store down)', async () => {
    await app.configure({
      env: {
        CROSSWATCH_STORE_CONNECTION_STRING: app.azurite.connectionString.replace(
          /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
          'TableEndpoint=http://127.0.0.1:1',
        ),
      },
    });
    const entry = createInboxEntry(serviceHealth, {
      source: 'service-health',
      contentType: 'application/json',
      receivedAt: new Date(),
    });
    await expect(processInbox({ v: 1, entry }, app.context('processInbox'))).rejects.toThrow();
    await app.configure();
  });

  it('turns a poison message into a failed inbox entry and a dead-letter metric', async () => {
    app.logs.length = 0;
    const entry = createInboxEntry(
      Buffer.from('{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{}}}'),
      {
        source: 'service-health',
        contentType: 'application/json',
        receivedAt: new Date(),
      },
    );
    await inboxPoison({ v: 1, entry }, app.context('inboxPoison'));
    const page = await store().list<StoredInboxEntry>(INBOX_COLLECTION, { prefix: 'q:' });
    expect(page.items.map((item) => item.value)).toContainEqual(
      expect.objectContaining({ id: entry.id, state: 'failed', error: expect.stringContaining('poison') }),
    );
    const metric = app.logs
      .map((line) => line.text)
      .find((text) => text.includes('"metric":"inbox.dead_letter"'));
    expect(JSON.parse(metric ?? '{}')).toMatchObject({ value: 1, dimensions: { source: 'service-health' } });
  });

  it('keeps an unreadable message as evidence instead of retrying it', async () => {
    app.logs.length = 0;
    await processInbox('definitely not an inbox message', app.context('processInbox'));
    const line = app.logs
      .map((entry) => entry.text)
      .find((text) => text.includes('inbox message unreadable'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'error',
      evidence: expect.stringMatching(/^sha256:/),
    });
  });
});

describe('timer functions and status', () => {
  it('probe runs a round against the configured targets (isPastDue runs once)', async () => {
    const targets = join(app.dir, 'targets.json');
    writeFileSync(
      targets,
      JSON.stringify({
        targets: [
          {
            id: 'app-health',
            kind: 'http',
            plane: 'data',
            url: `${server.url}/healthz`,
            expect: { status: [200] },
          },
        ],
      }),
    );
    await app.configure({
      env: { CROSSWATCH_PROBES_CATALOG: 'none', CROSSWATCH_PROBES_TARGETS_FILE: targets },
    });
    app.logs.length = 0;
    await probe(createTimer(true), app.context('probe'));
    const round = app.logs.map((line) => line.text).find((text) => text.includes('"msg":"probe round"'));
    expect(JSON.parse(round ?? '{}')).toMatchObject({ isPastDue: true, targets: 1, counts: { up: 1 } });
    const metric = app.logs.map((line) => line.text).find((text) => text.includes('"metric":"probe.result"'));
    expect(JSON.parse(metric ?? '{}')).toMatchObject({
      dimensions: { target: 'app-health', outcome: 'up', vantage: 'azure-westeurope' },
    });
  });

  it('pollProviderHealth polls Graph and reports an unreachable source', async () => {
    await app.configure({
      env: {
        CROSSWATCH_CONFIG: JSON.stringify({
          notify: { sinks: [{ kind: 'file', name: 'ops', path: app.sinkFile }] },
          pollers: {
            m365: {
              credentials: {
                tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
                clientId: '11111111-2222-3333-4444-555555555555',
              },
            },
          },
        }),
      },
      credentialFor: async () => credential,
      pollEndpoints: { graph: `${server.url}/v1.0` },
    });
    app.logs.length = 0;
    await pollProviderHealth(createTimer(), app.context('pollProviderHealth'));
    const polled = app.logs
      .map((line) => line.text)
      .find((text) => text.includes('"msg":"provider health polled"'));
    expect(JSON.parse(polled ?? '{}')).toMatchObject({ sources: ['m365-graph:ok'] });
    graphDown = true;
    await pollProviderHealth(createTimer(), app.context('pollProviderHealth'));
    graphDown = false;
    const unreachable = app.logs
      .map((line) => line.text)
      .find((text) => text.includes('"msg":"health source unreachable"'));
    expect(JSON.parse(unreachable ?? '{}')).toMatchObject({
      level: 'warn',
      source: 'm365-graph',
      reason: 'HTTP 503',
    });
    expect(app.logs.map((line) => line.text).join('\n')).not.toContain('graph-test-token');
  });

  it('heartbeat is published by status together with the open incidents', async () => {
    const now = new Date('2026-11-29T12:00:00.000Z');
    await app.configure({ now: () => now });
    await heartbeat(createTimer(), app.context('heartbeat'));
    const response = await status(
      new HttpRequest({ method: 'GET', url: 'https://crosswatch-app.azurewebsites.net/api/status' }),
      app.context('status'),
    );
    expect(response.status).toBe(200);
    const document = JSON.parse(String(response.body)) as StatusDocument;
    expect(document.deploymentId).toBe('azure-westeurope');
    expect(document.heartbeat.lastHeartbeatAt).toBe(now.toISOString());
    expect(document.openIncidents.some((incident) => incident.incidentKey.startsWith('azure:'))).toBe(true);
  });

  it('watchdog escalates a stale peer once, and deliver sends it through the sinks', async () => {
    const now = new Date('2026-11-29T13:00:00.000Z');
    peerHeartbeat = new Date(now.getTime() - 30 * 60_000).toISOString();
    await app.configure({
      now: () => now,
      env: {
        CROSSWATCH_PEERS: JSON.stringify([
          { id: 'aws', statusUrl: `${server.url}/peer/status?code=peer-secret-key` },
        ]),
      },
    });
    const before = app.notifications().length;
    await watchdog(createTimer(), app.context('watchdog'));
    await watchdog(createTimer(), app.context('watchdog'));
    await deliver(createTimer(), app.context('deliver'));
    const sent = app
      .notifications()
      .slice(before)
      .map((line) => line.message as { incidentKey: string; reason: string });
    expect(sent).toEqual([
      expect.objectContaining({ incidentKey: 'watchdog:aws', reason: 'watchdog-stale' }),
    ]);
    expect(app.logs.map((line) => line.text).join('\n')).not.toContain('peer-secret-key');
  });
});
