/**
 * The cross-cloud mesh end to end: three deployments with separate stores, peered over loopback HTTP
 * with signed POSTs (one Standard Webhooks secret per pair), watching the same failing Microsoft
 * stand-ins. What it proves:
 *
 *   1. every deployment reaches `provider-outage` for the failing planes from the three vantages and
 *      notifies each incident once (one `open`, one move to provider-outage), through its own sink;
 *   2. with the Azure deployment dark, the AWS deployment still judges from its own and the
 *      self-hosted vantage (quorum 2 of 3: the verdict stays provider-outage), raises `watchdog-stale`
 *      for Azure exactly once over several watchdog runs, and keeps notifying (its unacknowledged
 *      escalations say `azure-westeurope not heard from for …`);
 *   3. when Azure returns, the batches it missed are delivered by the AWS and self-hosted outboxes,
 *      its own pending batch reaches its peers, `watchdog-recovered` is decided once, and no
 *      notifying decision is ever sent twice (a redelivered batch decides `duplicate`);
 *   4. forged and replayed POSTs (bad signature, a timestamp 10 minutes old, a peer's secret with
 *      another or an unknown sender, an unknown secret) get 401 and are stored nowhere;
 *   5. there is no loop: no deployment ever receives its own vantage's results, and every batch holds
 *      only its sender's results (read from the bodies the front servers received).
 *
 * What is real: the Azure function handlers (mesh, status, probe, processInbox, heartbeat,
 * watchdog, deliver) over Azurite (table store, blob evidence, inbox queue); the Lambda handlers
 * (webhook, probe, processInbox, watchdog, deliver) over dynalite (DynamoDB) and moto (SQS); the
 * local runner (`startLocalRunner`, SQLite in a temp dir) running its own schedules (probes every
 * second, watchdog every two); the probe runner, engine, outbox, peer sinks and file sinks.
 * Stand-ins: loopback servers for Microsoft (an HTTP edge answering 502, an SMTP server answering
 * 451, a healthy control target), and a small node:http front per deployment that plays the part of
 * the Functions host / the Lambda Function URL (a request becomes an HttpRequest or an API Gateway v2
 * event for the real handler; the Functions host's function-key check on /api/status is done there)
 * and records every request; the self-hosted runner's front only forwards to the runner's own server.
 * The Azure host's queue trigger and the SQS event source mapping are the drain helpers below.
 *
 * Time: one clock shared by all three (`now` everywhere), moved one minute per round; freshness,
 * staleness and the unacknowledged escalation are set to minutes (engine config) so nothing sleeps.
 * The self-hosted runner's schedules run on real time (1 s, 2 s); its round for a minute is awaited
 * through the batch it sends (a repeat within the same minute is the same round id: a duplicate).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import type { APIGatewayProxyEventV2, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as awsDeliver } from '../../functions/aws/deliver.ts';
import { getLambdaContext } from '../../functions/aws/lambda-context.ts';
import { handler as awsProbe } from '../../functions/aws/probe.ts';
import { handler as awsProcessInbox } from '../../functions/aws/process-inbox.ts';
import { handler as awsWatchdog } from '../../functions/aws/watchdog.ts';
import { handler as awsWebhook } from '../../functions/aws/webhook.ts';
import { getAppContext } from '../../functions/azure/app-context.ts';
import { deliver as azureDeliver } from '../../functions/azure/deliver.ts';
import { heartbeat as azureHeartbeat } from '../../functions/azure/heartbeat.ts';
import { mesh as azureMesh } from '../../functions/azure/mesh.ts';
import { probe as azureProbe } from '../../functions/azure/probe.ts';
import { processInbox as azureProcessInbox } from '../../functions/azure/process-inbox.ts';
import { status as azureStatus } from '../../functions/azure/status.ts';
import { watchdog as azureWatchdog } from '../../functions/azure/watchdog.ts';
import { type LocalRunner, startLocalRunner } from '../../functions/local/local-runner.ts';
import { validateConfig } from '../../shared/config/validate-config.ts';
import { type Decision, isNotifying } from '../../shared/engine/decision.ts';
import { listDecisions } from '../../shared/engine/decision-log.ts';
import type { IncidentRecord } from '../../shared/engine/incident-record.ts';
import { listIncidents } from '../../shared/engine/process-event.ts';
import type { StatusDocument } from '../../shared/mesh/status-document.ts';
import { listDeliveries } from '../../shared/notify/dead-letters.ts';
import type { DeliveryRecord } from '../../shared/notify/delivery-record.ts';
import type { NotificationLine } from '../../shared/notify/sinks/file-sink.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../shared/observability/metrics.ts';
import { createRoundId } from '../../shared/probe/runner.ts';
import type { StateStore } from '../../shared/store/ports.ts';
import { createSqliteStore } from '../../shared/store/sqlite-store.ts';
import { signStandardWebhook } from '../../shared/util/standard-webhook-signature.ts';
import { type AzureAppHarness, createTimer, startAzureApp } from '../helpers/azure-functions-app.ts';
import { LAMBDA_WEBHOOK_TOKEN, type LambdaHarness, startLambdaApp } from '../helpers/lambda-app.ts';
import { type Loopback, startHttpServer, startLineServer } from '../helpers/loopback-servers.ts';

// ---- the mesh -------------------------------------------------------------------------------------

const AZURE = 'azure-westeurope';
const AWS = 'aws-eu-west-1';
const LOCAL = 'self-hosted';
const DEPLOYMENTS = [AZURE, AWS, LOCAL] as const;
type DeploymentId = (typeof DEPLOYMENTS)[number];

const whsec = (text: string) => `whsec_${Buffer.from(text).toString('base64')}`;
/** One secret per pair, both sides hold it. */
const PAIR_SECRETS: Readonly<Record<string, string>> = {
  [`${AWS}|${AZURE}`]: whsec('azure and aws share this mesh secret'),
  [`${AZURE}|${LOCAL}`]: whsec('azure and self-hosted share this one'),
  [`${AWS}|${LOCAL}`]: whsec('aws and self-hosted share a third one'),
};
const STRANGER_SECRET = whsec('nobody in the mesh knows this secret');

function pairSecret(a: DeploymentId, b: DeploymentId): string {
  const secret = PAIR_SECRETS[[a, b].sort().join('|')];
  if (!secret) throw new Error(`no secret for ${a} and ${b}`);
  return secret;
}

const AZURE_FUNCTION_KEY = 'azure-function-key-for-status-0123';
const LOCAL_TOKEN = 'self-hosted-token-0123456789abcdef';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-29T12:00:00.000Z');
const at = (minute: number) => new Date(T0 + minute * MINUTE);
/** Freshness of a vantage and staleness of a peer's heartbeat: 2.5 min, so one silent minute is nothing. */
const FRESHNESS_MS = 150_000;
const UNACKNOWLEDGED_MS = 5 * MINUTE;
const ENGINE = {
  verdict: { freshnessMs: FRESHNESS_MS },
  watchdog: { staleAfterMs: 150_000 },
  acknowledgement: { unacknowledgedAfterMs: UNACKNOWLEDGED_MS },
};
/** Retries stay due within the next minute, and a peer dark for a while is not dead-lettered. */
const OUTBOX = { maxAttempts: 100, baseDelayMs: 1000, maxDelayMs: 20_000 };

const EDGE = 'probe:edge-frontdoor';
const SMTP = 'probe:mail-smtp';
const FAILING = [EDGE, SMTP] as const;

// ---- the shared clock -----------------------------------------------------------------------------

let clockMs = T0;
/** Set at teardown: the clock then runs 1000× real time, so a draining outbox reaches its deadline. */
let releasedAt: number | null = null;
const now = () => new Date(clockMs + (releasedAt === null ? 0 : (performance.now() - releasedAt) * 1000));

// ---- front servers: the Functions host, the Function URL, the runner's own address ------------------

interface Recorded {
  /** The shared clock when it arrived. */
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly status: number;
}

interface FrontRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface FrontResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface Front {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  return headers;
}

async function startFront(handle: (request: FrontRequest) => Promise<FrontResponse>): Promise<Front> {
  const requests: Recorded[] = [];
  let port = 0;
  let server: Server | undefined;
  let sockets = new Set<Socket>();
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    response.on('error', () => undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const arrivedAt = now().toISOString();
    const headers = flattenHeaders(request);
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    let answer: FrontResponse;
    try {
      answer = await handle({ method: request.method ?? 'GET', url, headers, body });
    } catch (error) {
      answer = { status: 500, headers: {}, body: String(error) };
    }
    requests.push({
      at: arrivedAt,
      method: request.method ?? 'GET',
      path: url.pathname,
      headers,
      body,
      status: answer.status,
    });
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };
  const listen = async () => {
    sockets = new Set();
    const created = createServer((request, response) => void serve(request, response));
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => resolve());
    });
    port = (created.address() as { port: number }).port;
    server = created;
  };
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        const closing = server;
        server = undefined;
        if (!closing) return resolve();
        for (const socket of sockets) socket.destroy();
        closing.close(() => resolve());
      }),
    reopen: listen,
  };
}

function fromAzureResponse(response: HttpResponseInit): FrontResponse {
  const headers: Record<string, string> = {};
  new Headers(response.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status ?? 200, headers, body: String(response.body ?? '') };
}

// ---- the deployments ----------------------------------------------------------------------------

let azure: AzureAppHarness;
let lambda: LambdaHarness;
let runner: LocalRunner;
let localStore: StateStore;
let localDir: string;
let localSinkFile: string;
const localLines: string[] = [];
let sqs: SQSClient;
let edge: Loopback;
let control: Loopback;
let smtp: Loopback;
const fronts = {} as Record<DeploymentId, Front>;
/** The Azure deployment's outbound network (its peer POSTs and status pulls). */
let azureLinkUp = true;
const azureFetch: typeof fetch = (input, init) =>
  azureLinkUp ? fetch(input, init) : Promise.reject(new TypeError('fetch failed'));

function meshPeers(self: DeploymentId) {
  const statusUrl: Record<DeploymentId, string> = {
    [AZURE]: `${fronts[AZURE].url}/api/status?code=${AZURE_FUNCTION_KEY}`,
    [AWS]: `${fronts[AWS].url}/api/status?token=${LAMBDA_WEBHOOK_TOKEN}`,
    [LOCAL]: `${fronts[LOCAL].url}/api/status`,
  };
  return DEPLOYMENTS.filter((id) => id !== self).map((id) => ({
    id,
    url: `${fronts[id].url}/api/mesh`,
    secret: pairSecret(self, id),
    statusUrl: statusUrl[id],
    // The fronts listen on loopback: the peer sinks' SSRF guard refuses it without this.
    allowPrivate: true,
  }));
}

function readJsonLines(path: string): NotificationLine[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as NotificationLine);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}

const stores: Record<DeploymentId, () => Promise<StateStore>> = {
  [AZURE]: async () => (await getAppContext()).runtime.store(),
  [AWS]: async () => (await getLambdaContext()).runtime.store(),
  [LOCAL]: async () => localStore,
};

const notifications: Record<DeploymentId, () => NotificationLine[]> = {
  [AZURE]: () => azure.notifications() as unknown as NotificationLine[],
  [AWS]: () => lambda.notifications() as unknown as NotificationLine[],
  [LOCAL]: () => readJsonLines(localSinkFile),
};

beforeAll(async () => {
  [azure, lambda] = await Promise.all([startAzureApp(), startLambdaApp()]);
  sqs = new SQSClient({
    endpoint: lambda.moto.endpoint,
    region: lambda.moto.region,
    credentials: lambda.moto.credentials,
  });

  // Microsoft, as the probes see it: the edge answers 502, inbound SMTP defers with 451.
  edge = await startHttpServer((_request, response) => {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  control = await startHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  });
  smtp = await startLineServer('451 4.7.500 Server busy. Please try again later\r\n', {
    closeAfterBanner: true,
  });
  localDir = mkdtempSync(join(tmpdir(), 'crosswatch-mesh-'));
  localSinkFile = join(localDir, 'notifications.jsonl');
  const targetsFile = join(localDir, 'targets.json');
  writeFileSync(
    targetsFile,
    JSON.stringify({
      targets: [
        {
          id: 'edge-frontdoor',
          name: 'Azure Front Door (stand-in)',
          kind: 'http',
          plane: 'edge',
          url: `${edge.url}/`,
          expect: { status: [200] },
        },
        {
          id: 'mail-smtp',
          name: 'Exchange Online inbound SMTP (stand-in)',
          kind: 'smtp',
          plane: 'mail',
          host: '127.0.0.1',
          port: smtp.port,
        },
        {
          id: 'ctl-http',
          name: 'control (stand-in)',
          kind: 'http',
          plane: 'control-target',
          control: true,
          url: `${control.url}/`,
        },
      ],
    }),
  );
  const probes = { catalog: 'none', targetsFile, timeoutMs: 2000 };

  let awsRequests = 0;
  fronts[AZURE] = await startFront(async ({ method, url, headers, body }) => {
    if (url.pathname === '/api/mesh') {
      const request = new HttpRequest({ method, url: url.href, headers, body: { bytes: body } });
      return fromAzureResponse(await azureMesh(request, azure.context('mesh')));
    }
    if (url.pathname === '/api/status' && method === 'GET') {
      // The Functions host checks the function key (authLevel: function) before the function runs.
      if (url.searchParams.get('code') !== AZURE_FUNCTION_KEY) return { status: 401, headers: {}, body: '' };
      const request = new HttpRequest({ method, url: url.href, headers });
      return fromAzureResponse(await azureStatus(request, azure.context('status')));
    }
    return { status: 404, headers: {}, body: '' };
  });
  fronts[AWS] = await startFront(async ({ method, url, headers, body }) => {
    awsRequests += 1;
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      requestContext: {
        accountId: '123456789012',
        apiId: 'crosswatch',
        domainName: 'crosswatch.lambda-url.eu-west-1.on.aws',
        domainPrefix: 'crosswatch',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: `mesh-test-${awsRequests}`,
        routeKey: '$default',
        stage: '$default',
        time: now().toISOString(),
        timeEpoch: now().getTime(),
      },
      isBase64Encoded: body.byteLength > 0,
      ...(body.byteLength > 0 ? { body: body.toString('base64') } : {}),
    };
    const result = await awsWebhook(event, lambda.context('webhook'));
    const answerHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) answerHeaders[name] = String(value);
    return { status: result.statusCode ?? 200, headers: answerHeaders, body: result.body ?? '' };
  });
  fronts[LOCAL] = await startFront(async ({ method, url, headers, body }) => {
    const forwarded = { ...headers };
    for (const hop of ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'])
      delete forwarded[hop];
    const response = await fetch(`${runner.info.url}${url.pathname}${url.search}`, {
      method,
      headers: forwarded,
      redirect: 'manual',
      ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
    });
    const answer = await response.text();
    return {
      status: response.status,
      headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' },
      body: answer,
    };
  });

  await azure.configure({
    now,
    fetch: azureFetch,
    env: {
      CROSSWATCH_CONFIG: JSON.stringify({
        notify: { sinks: [{ kind: 'file', name: 'ops', path: azure.sinkFile }], outbox: OUTBOX },
        engine: ENGINE,
        probes,
      }),
      CROSSWATCH_PEERS: JSON.stringify(meshPeers(AZURE)),
    },
  });
  const lambdaConfig = JSON.parse(lambda.env.CROSSWATCH_CONFIG ?? '{}') as {
    notify: Record<string, unknown>;
  };
  await lambda.configure({
    now,
    env: {
      CROSSWATCH_CONFIG: JSON.stringify({
        ...lambdaConfig,
        notify: { ...lambdaConfig.notify, outbox: OUTBOX },
        engine: ENGINE,
        probes,
      }),
      CROSSWATCH_PEERS: JSON.stringify(meshPeers(AWS)),
    },
  });

  // Warm both clouds' paths (SDKs, stores, inboxes) before the runner's schedules start probing:
  // an unsigned POST is refused (401) but opens the inbox.
  for (const id of [AZURE, AWS] as const) {
    expect((await fetch(`${fronts[id].url}/api/mesh`, { method: 'POST', body: '{}' })).status).toBe(401);
  }
  expect((await fetch(meshPeers(LOCAL)[0]?.statusUrl ?? '')).status).toBe(200);
  expect((await fetch(meshPeers(LOCAL)[1]?.statusUrl ?? '')).status).toBe(200);
  await drainAzureQueue();

  const config = validateConfig(
    {
      dataDir: localDir,
      vantage: { id: LOCAL, cloud: 'other', region: 'office' },
      server: { host: '127.0.0.1', port: 0 },
      webhook: { tokens: [LOCAL_TOKEN] },
      probes: { ...probes, schedule: '1s' },
      watchdog: { schedule: '2s' },
      engine: ENGINE,
      notify: { sinks: [{ kind: 'file', name: 'ops', path: localSinkFile }], outbox: OUTBOX },
      mesh: { peers: meshPeers(LOCAL) },
    },
    'self-hosted config',
    { cwd: localDir },
  );
  runner = await startLocalRunner({
    config,
    logger: createLogger({ format: 'json', level: 'info', now, write: (line) => localLines.push(line) }),
    metrics: createInMemoryMetrics(),
    now,
    version: 'mesh-test',
  });
  localStore = createSqliteStore({ path: join(localDir, 'crosswatch.db') });
}, 120_000);

afterAll(async () => {
  releasedAt = performance.now();
  await runner?.close();
  await localStore?.close();
  await Promise.all(Object.values(fronts).map((front) => front.close()));
  await Promise.all([edge?.close(), control?.close(), smtp?.close()]);
  sqs?.destroy();
  await Promise.all([azure?.stop(), lambda?.stop()]);
  if (localDir) rmSync(localDir, { recursive: true, force: true });
}, 60_000);

// ---- driving the clouds: the Functions host's triggers, the SQS event source, the schedules ---------

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The Functions host's queue trigger: every message on the inbox queue, in order, then deleted. */
async function drainAzureQueue(): Promise<number> {
  const queue = QueueServiceClient.fromConnectionString(azure.azurite.connectionString).getQueueClient(
    'crosswatch-inbox',
  );
  if (!(await queue.exists())) return 0;
  let handled = 0;
  for (;;) {
    const received = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (received.receivedMessageItems.length === 0) return handled;
    for (const item of received.receivedMessageItems) {
      const message: unknown = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
      await azureProcessInbox(message, azure.context('processInbox', { dequeueCount: item.dequeueCount }));
      await queue.deleteMessage(item.messageId, item.popReceipt);
      handled++;
    }
  }
}

function toSqsRecord(message: Message): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(now().getTime()),
      SenderId: 'AROAEXAMPLE:crosswatch-webhook',
      ApproximateFirstReceiveTimestamp: String(now().getTime()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:crosswatch-inbox',
    awsRegion: 'eu-west-1',
  };
}

/** The SQS event source mapping: batches of up to 10 records; every record must succeed. */
async function drainSqs(): Promise<number> {
  let handled = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: lambda.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return handled;
    const result = await awsProcessInbox(
      { Records: Messages.map(toSqsRecord) },
      lambda.context('processInbox'),
    );
    expect(result.batchItemFailures).toEqual([]);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: lambda.queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
        })),
      }),
    );
    handled += Messages.length;
  }
}

interface SentBatch {
  readonly kind: string;
  readonly from: string;
  readonly hops: number;
  readonly roundId: string | null;
  readonly events: readonly {
    readonly data: {
      readonly vantage: { readonly id: string };
      readonly roundId: string;
      readonly updateKey: string;
    };
  }[];
}

/** The mesh POSTs a front received, with their batch (when the body is one). */
function meshPosts(front: Front): { readonly request: Recorded; readonly batch: SentBatch }[] {
  return front.requests
    .filter((request) => request.method === 'POST' && request.path === '/api/mesh')
    .flatMap((request) => {
      try {
        return [{ request, batch: JSON.parse(request.body.toString('utf8')) as SentBatch }];
      } catch {
        return [];
      }
    });
}

function accepted(front: Front, from: DeploymentId, roundId: string): boolean {
  return meshPosts(front).some(
    ({ request, batch }) => request.status === 202 && batch.from === from && batch.roundId === roundId,
  );
}

async function readLocalStatus(): Promise<
  StatusDocument & { inbox: { pending: number; committedEntries: number } }
> {
  const response = await fetch(`${runner.info.url}/api/status`);
  expect(response.status).toBe(200);
  return (await response.json()) as StatusDocument & { inbox: { pending: number; committedEntries: number } };
}

/** The self-hosted runner has taken every accepted input and sent every notification. */
async function waitForLocalIdle(): Promise<void> {
  await waitFor('the self-hosted inbox and notifications to settle', async () => {
    if ((await readLocalStatus()).inbox.pending > 0) return undefined;
    const queued = await localStore.list('outbox-queue', { prefix: 'ops|' });
    return queued.items.length === 0 ? true : undefined;
  });
}

type AzureState = 'up' | 'going-dark' | 'dark' | 'returning';

interface RoundOutcome {
  readonly awsStale: readonly string[];
  readonly awsRecovered: readonly string[];
}

/**
 * One minute of the mesh: the clouds' timers fire in order (Azure heartbeat and probe, AWS probe),
 * the self-hosted round of that minute is awaited, the queue triggers take what the peers sent, then
 * the watchdogs and the deliver schedules run. Azure going dark: its link drops first, its probe
 * timer fires once more (that round's batches stay in its outbox), then nothing of it runs.
 *
 * The deliver schedules drain the outbox waiting for due retries up to a budget measured on the
 * (frozen) shared clock: AWS's is given 15 s of remaining time, i.e. a budget of 0 (one pass); Azure's
 * fixed 50 s budget would wait forever for a retry, so it only runs while all its sends succeed.
 */
async function runRound(m: number, state: AzureState): Promise<RoundOutcome> {
  if (state === 'going-dark') {
    azureLinkUp = false;
    await fronts[AZURE].close();
  }
  if (state === 'returning') {
    await fronts[AZURE].reopen();
    azureLinkUp = true;
  }
  clockMs = at(m).getTime();
  const azureUp = state === 'up' || state === 'returning';
  if (azureUp) await azureHeartbeat(createTimer(), azure.context('heartbeat'));
  if (state !== 'dark') await azureProbe(createTimer(), azure.context('probe'));
  const scheduled = { scheduledTime: at(m).toISOString(), executionId: `m${m}`, attempt: '1' };
  await awsProbe(scheduled, lambda.context('probe'));
  // The runner's interval schedule runs at (armed time + 1 s): its round of minute m.
  const localRound = createRoundId(new Date(at(m).getTime() + 1000), LOCAL);
  await waitFor(`${localRound} at the AWS front`, () =>
    accepted(fronts[AWS], LOCAL, localRound) ? true : undefined,
  );
  if (azureUp)
    await waitFor(`${localRound} at the Azure front`, () =>
      accepted(fronts[AZURE], LOCAL, localRound) ? true : undefined,
    );
  await drainSqs();
  if (azureUp) await drainAzureQueue();
  await waitForLocalIdle();
  if (azureUp) {
    await azureWatchdog(createTimer(), azure.context('watchdog'));
    await azureDeliver(createTimer(), azure.context('deliver'));
  }
  const watched = await awsWatchdog(scheduled, lambda.context('watchdog'));
  await awsDeliver(scheduled, lambda.context('deliver', 15_000));
  return { awsStale: watched.stale, awsRecovered: watched.recovered };
}

// ---- reading the deployments --------------------------------------------------------------------

async function incidentsOf(id: DeploymentId): Promise<Map<string, IncidentRecord>> {
  return new Map(
    (await listIncidents(await stores[id]())).map((incident) => [incident.incidentKey, incident]),
  );
}

const isFresh = (iso: string | null | undefined) =>
  typeof iso === 'string' && now().getTime() - Date.parse(iso) <= FRESHNESS_MS;

/** Both failing planes open, judged provider-outage, with every vantage failing. */
async function judgedOutage(id: DeploymentId): Promise<boolean> {
  const incidents = await incidentsOf(id);
  return FAILING.every((key) => {
    const incident = incidents.get(key);
    const state = incident?.probeState;
    return (
      incident?.status === 'open' &&
      state?.verdict === 'provider-outage' &&
      DEPLOYMENTS.every((vantage) => state.vantages[vantage]?.failing === true)
    );
  });
}

async function notifyingDecisions(id: DeploymentId): Promise<Decision[]> {
  return (await listDecisions(await stores[id]())).filter((decision) => isNotifying(decision.kind));
}

async function deliveriesOf(id: DeploymentId, sink: string): Promise<DeliveryRecord[]> {
  return (await listDeliveries(await stores[id]())).filter((delivery) => delivery.sink === sink);
}

/**
 * Every notifying decision of this deployment was written to its own sink exactly once, and its
 * sink holds nothing else (no line from another deployment, no delivery twice).
 */
async function expectNotifiedOnceEach(id: DeploymentId): Promise<void> {
  const lines = notifications[id]();
  const decisions = await notifyingDecisions(id);
  expect(new Set(lines.map((line) => line.deliveryId)).size, `${id}: a delivery written twice`).toBe(
    lines.length,
  );
  expect(lines.map((line) => line.message.decisionId).sort(), `${id}: sink vs decisions`).toEqual(
    decisions.map((decision) => decision.id).sort(),
  );
  const ops = await deliveriesOf(id, 'ops');
  expect(ops.map((delivery) => [delivery.status, delivery.attempts])).toEqual(
    ops.map(() => ['delivered', 1]),
  );
}

async function snapshotIncidents(): Promise<string> {
  const parts: string[] = [];
  for (const id of DEPLOYMENTS) {
    for (const incident of (await incidentsOf(id)).values())
      parts.push(`${id} ${incident.incidentKey} ${incident.lastChangedAt} ${incident.decisionSeq}`);
  }
  return parts.sort().join('\n');
}

async function inboxDepths(): Promise<{ azure: number; aws: number; local: number; localPending: number }> {
  const local = await readLocalStatus();
  return {
    azure: await azure.queueDepth(),
    aws: await lambda.queueDepth(),
    local: local.inbox.committedEntries,
    localPending: local.inbox.pending,
  };
}

function post(front: Front, body: string, headers: Record<string, string>): Promise<number> {
  return fetch(`${front.url}/api/mesh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
}

function signed(secret: string, body: string, id: string, timestamp: number): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
  };
}

/** Re-sends a recorded POST byte for byte (its own webhook headers). */
function replay(front: Front, request: Recorded): Promise<number> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return post(front, request.body.toString('utf8'), headers);
}

// ---- the scenario ---------------------------------------------------------------------------------

let minute = 0;
/** The minute the Azure deployment went dark, and the first minute it was back. */
let darkFrom = 0;
let backAt = 0;

describe('the cross-cloud mesh: an Azure app, an AWS stack and a self-hosted runner, peered over loopback', () => {
  it('1. every deployment reaches provider-outage for both failing planes and notifies each incident once, through its own sink', async () => {
    // The failing planes open after three failures per vantage; a round whose probes were starved
    // by the event loop is inconclusive and not counted, so allow a few more rounds.
    for (; minute < 8; minute++) {
      await runRound(minute, 'up');
      const judged = await Promise.all(DEPLOYMENTS.map((id) => judgedOutage(id)));
      if (judged.every(Boolean)) break;
    }
    for (const id of DEPLOYMENTS) expect(await judgedOutage(id), `${id} judged provider-outage`).toBe(true);
    expect((await getLambdaContext()).runtime.config.engine.verdict.quorum).toBe(2);

    for (const id of DEPLOYMENTS) {
      await expectNotifiedOnceEach(id);
      const decisions = await notifyingDecisions(id);
      for (const key of FAILING) {
        const told = decisions.filter((decision) => decision.incidentKey === key);
        // One open, then one update per vantage that started failing; the verdict moves to
        // provider-outage exactly once.
        expect(
          told.filter((decision) => decision.kind === 'open'),
          `${id} ${key} open`,
        ).toHaveLength(1);
        expect(told[0]?.kind).toBe('open');
        expect(told.every((decision) => ['open', 'update'].includes(decision.kind))).toBe(true);
        const reasons = told.map((decision) => decision.reason);
        expect(new Set(reasons).size).toBe(reasons.length);
        const moves = told.filter(
          (decision, index) =>
            decision.verdict === 'provider-outage' && told[index - 1]?.verdict !== 'provider-outage',
        );
        expect(moves, `${id} ${key} moves to provider-outage`).toHaveLength(1);
      }
    }
    // Each deployment's status document agrees.
    const awsStatus = await fetch(`${fronts[AWS].url}/api/status?token=${LAMBDA_WEBHOOK_TOKEN}`);
    const azureStatusDocument = await fetch(`${fronts[AZURE].url}/api/status?code=${AZURE_FUNCTION_KEY}`);
    for (const document of [
      (await awsStatus.json()) as StatusDocument,
      (await azureStatusDocument.json()) as StatusDocument,
      await readLocalStatus(),
    ]) {
      const verdicts = Object.fromEntries(
        document.openIncidents.map((incident) => [incident.incidentKey, incident.verdict]),
      );
      expect(verdicts).toEqual({ [EDGE]: 'provider-outage', [SMTP]: 'provider-outage' });
      expect(document.peers.map((peer) => peer.stale)).toEqual([false, false]);
    }
  });

  it('4. forged and replayed peer POSTs are refused with 401 and stored nowhere', async () => {
    const before = { depths: await inboxDepths(), incidents: await snapshotIncidents() };
    const timestamp = Math.floor(now().getTime() / 1000);
    for (const receiver of DEPLOYMENTS) {
      const [sender, other] = DEPLOYMENTS.filter((id) => id !== receiver) as [DeploymentId, DeploymentId];
      const latest = meshPosts(fronts[receiver])
        .filter(({ request, batch }) => request.status === 202 && batch.from === sender)
        .at(-1);
      if (!latest) throw new Error(`${receiver} received nothing from ${sender}`);
      const body = latest.request.body.toString('utf8');
      const secret = pairSecret(receiver, sender);
      const claiming = (from: string) => JSON.stringify({ ...JSON.parse(body), from });
      const attempts: [string, Promise<number>][] = [
        [
          'a bad signature',
          post(fronts[receiver], body, {
            'webhook-id': 'msg_forged_signature',
            'webhook-timestamp': String(timestamp),
            'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')}`,
          }),
        ],
        [
          'a valid signature 10 minutes old',
          post(fronts[receiver], body, signed(secret, body, 'msg_old', timestamp - 600)),
        ],
        [
          `${sender}'s secret naming ${other} as the sender`,
          post(fronts[receiver], claiming(other), signed(secret, claiming(other), 'msg_other', timestamp)),
        ],
        [
          `${sender}'s secret naming an unknown sender`,
          post(
            fronts[receiver],
            claiming('intruder'),
            signed(secret, claiming('intruder'), 'msg_unknown', timestamp),
          ),
        ],
        [
          'an unknown secret',
          post(fronts[receiver], body, signed(STRANGER_SECRET, body, 'msg_stranger', timestamp)),
        ],
        ['no signature at all', post(fronts[receiver], body, {})],
      ];
      for (const [what, status] of attempts) expect(await status, `${receiver}: ${what}`).toBe(401);
    }
    // Nothing reached an inbox or changed an incident (the runner's schedules kept running meanwhile).
    await waitForLocalIdle();
    expect(await inboxDepths()).toEqual(before.depths);
    expect(await snapshotIncidents()).toBe(before.incidents);
  });

  it('2. with Azure dark, AWS still judges provider-outage from 2 of 3 vantages, raises watchdog-stale once, and says Azure is not heard from', async () => {
    darkFrom = ++minute;
    // The unacknowledged escalations must come while Azure is already silent (2.5 min after its last
    // result at darkFrom - 1), which the phase-1 rounds leave room for; the dark phase lasts until
    // every escalation of AWS and the runner is decided.
    const outageSince: number[] = [];
    for (const id of DEPLOYMENTS) {
      const incidents = await incidentsOf(id);
      for (const key of FAILING) {
        const since = Date.parse(incidents.get(key)?.probeState?.outageSince ?? '');
        expect(
          since + UNACKNOWLEDGED_MS,
          `${id} ${key} escalates after Azure went silent`,
        ).toBeGreaterThanOrEqual(at(darkFrom + 2).getTime());
        if (id !== AZURE) outageSince.push(since);
      }
    }
    const lastEscalation = Math.max(
      ...outageSince.map((since) => Math.ceil((since + UNACKNOWLEDGED_MS - T0) / MINUTE)),
    );
    const awsLinesBefore = notifications[AWS]().length;

    const stale: string[] = [];
    stale.push(...(await runRound(minute, 'going-dark')).awsStale);
    for (minute++; minute <= Math.max(darkFrom + 4, lastEscalation); minute++)
      stale.push(...(await runRound(minute, 'dark')).awsStale);
    minute--;

    // The watchdog ran every minute; the Azure peer went stale once (heartbeat older than 2.5 min).
    expect(stale).toEqual([`watchdog:${AZURE}`]);
    const awsDecisions = await notifyingDecisions(AWS);
    expect(
      awsDecisions.filter((decision) => decision.incidentKey === `watchdog:${AZURE}`).map((d) => d.reason),
    ).toEqual(['watchdog-stale']);

    // The verdict stays provider-outage from the AWS and self-hosted vantages; Azure's is unknown.
    const incidents = await incidentsOf(AWS);
    for (const key of FAILING) {
      const state = incidents.get(key)?.probeState;
      expect(state?.verdict, key).toBe('provider-outage');
      expect(state?.vantages[AZURE]?.lastResultAt).toBe(at(darkFrom - 1).toISOString());
      expect(isFresh(state?.vantages[AZURE]?.lastResultAt)).toBe(false);
      for (const vantage of [AWS, LOCAL]) {
        expect(state?.vantages[vantage]?.failing, `${key} ${vantage}`).toBe(true);
        expect(isFresh(state?.vantages[vantage]?.lastResultAt), `${key} ${vantage} fresh`).toBe(true);
      }
    }
    const awsStatus = (await (
      await fetch(`${fronts[AWS].url}/api/status?token=${LAMBDA_WEBHOOK_TOKEN}`)
    ).json()) as StatusDocument;
    expect(awsStatus.peers.find((peer) => peer.id === AZURE)?.stale).toBe(true);
    expect(awsStatus.openIncidents.map((incident) => incident.verdict)).toEqual([
      'provider-outage',
      'provider-outage',
    ]);

    // AWS kept notifying through its own sink: the stale peer, and each outage still unacknowledged,
    // whose headline says Azure is not heard from.
    const sent = notifications[AWS]()
      .slice(awsLinesBefore)
      .map((line) => line.message);
    expect(
      sent.map((message) => `${message.incidentKey} ${message.decisionKind} ${message.reason}`).sort(),
    ).toEqual([
      `${EDGE} escalate unacknowledged`,
      `${SMTP} escalate unacknowledged`,
      `watchdog:${AZURE} escalate watchdog-stale`,
    ]);
    for (const message of sent.filter((candidate) => candidate.reason === 'unacknowledged')) {
      expect(message.verdict).toBe('provider-outage');
      expect(message.headline).toMatch(/ failing from 2 of 2 vantages for \d+ min, not acknowledged/);
      expect(message.headline).toMatch(new RegExp(`; ${AZURE} not heard from for \\d+ min$`));
    }
    // Azure, dark, told nobody about its own silence: that is its peers' job, through their sinks.
    expect(notifications[AZURE]().some((line) => line.message.incidentKey.startsWith('watchdog:'))).toBe(
      false,
    );
  });

  it('3. when Azure returns, the missed batches are delivered both ways, watchdog-recovered is decided once, and nothing is notified twice', async () => {
    backAt = ++minute;
    const recovered: string[] = [];
    recovered.push(...(await runRound(minute, 'returning')).awsRecovered);
    for (minute++; minute <= backAt + 2; minute++)
      recovered.push(...(await runRound(minute, 'up')).awsRecovered);
    minute--;

    // What AWS and the self-hosted runner queued for Azure while it was dark was delivered, in order.
    for (const sender of [AWS, LOCAL] as const) {
      const missed = (await deliveriesOf(sender, `peer:${AZURE}`)).filter(
        (delivery) =>
          delivery.createdAt >= at(darkFrom).toISOString() && delivery.createdAt < at(backAt).toISOString(),
      );
      expect(missed, `${sender} → ${AZURE}`).toHaveLength(backAt - darkFrom);
      // The oldest was tried (and failed) every minute; it held the others back in round order.
      const [head] = missed;
      expect(head?.attempts).toBeGreaterThanOrEqual(backAt - darkFrom);
      expect(head?.history.filter((attempt) => attempt.outcome !== 'delivered').length).toBeGreaterThan(1);
      for (const delivery of missed) {
        expect(delivery.status).toBe('delivered');
        expect(delivery.deliveredAt).toBe(at(backAt).toISOString());
      }
      const arrivals = Array.from({ length: backAt - darkFrom }, (_, index) => {
        const m = darkFrom + index;
        const roundId = createRoundId(sender === LOCAL ? new Date(at(m).getTime() + 1000) : at(m), sender);
        expect(accepted(fronts[AZURE], sender, roundId), `${roundId} reached Azure`).toBe(true);
        return meshPosts(fronts[AZURE]).findIndex(
          ({ batch }) => batch.from === sender && batch.roundId === roundId,
        );
      });
      expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
      expect(
        (await deliveriesOf(sender, `peer:${AZURE}`)).every((delivery) => delivery.status === 'delivered'),
      ).toBe(true);
    }
    // Azure's own batch of the round it went dark with reached both peers when it came back.
    const darkRound = createRoundId(at(darkFrom), AZURE);
    for (const peer of [AWS, LOCAL] as const) {
      const [pending] = (await deliveriesOf(AZURE, `peer:${peer}`)).filter(
        (delivery) => delivery.decisionId === `mesh:${darkRound}`,
      );
      expect(pending?.status).toBe('delivered');
      expect(pending?.history[0]?.outcome).not.toBe('delivered');
      const arrival = meshPosts(fronts[peer]).find(
        ({ batch }) => batch.from === AZURE && batch.roundId === darkRound,
      );
      expect(arrival?.request.status).toBe(202);
      expect(arrival?.request.at).toBe(at(backAt).toISOString());
      expect(
        (await deliveriesOf(AZURE, `peer:${peer}`)).every((delivery) => delivery.status === 'delivered'),
      ).toBe(true);
    }

    // watchdog-recovered once on AWS (decided by the first batch or pull that reached it), and on the runner.
    for (const id of [AWS, LOCAL] as const) {
      const watchdog = (await notifyingDecisions(id)).filter(
        (decision) => decision.incidentKey === `watchdog:${AZURE}`,
      );
      expect(
        watchdog.map((decision) => decision.reason),
        id,
      ).toEqual(['watchdog-stale', 'watchdog-recovered']);
    }
    expect(recovered.filter((key) => key !== `watchdog:${AZURE}`)).toEqual([]);
    // Every deployment judges provider-outage from three fresh vantages again.
    for (const id of DEPLOYMENTS) expect(await judgedOutage(id), id).toBe(true);
    // No notifying decision was sent twice, anywhere; AWS and the runner sent nothing for the
    // outages after Azure came back (its late results changed no verdict there).
    for (const id of DEPLOYMENTS) await expectNotifiedOnceEach(id);
    for (const id of [AWS, LOCAL] as const) {
      const late = (await notifyingDecisions(id)).filter(
        (decision) =>
          decision.decidedAt >= at(backAt).toISOString() && !decision.incidentKey.startsWith('watchdog:'),
      );
      expect(
        late.filter((decision) => (FAILING as readonly string[]).includes(decision.incidentKey)),
        id,
      ).toEqual([]);
    }
  });

  it('4 (replays). a recorded batch sent again 10 minutes later is refused; sent again at once, it decides duplicate', async () => {
    const depths = await inboxDepths();
    const incidents = await snapshotIncidents();
    for (const receiver of DEPLOYMENTS) {
      const old = meshPosts(fronts[receiver])
        .filter(
          ({ request }) => request.status === 202 && Date.parse(request.at) <= now().getTime() - 10 * MINUTE,
        )
        .at(-1);
      if (!old) throw new Error(`${receiver} has no batch 10 minutes old`);
      expect(Number(old.request.headers['webhook-timestamp'])).toBeLessThanOrEqual(
        now().getTime() / 1000 - 600,
      );
      expect(await replay(fronts[receiver], old.request), `${receiver}: replay of ${old.batch.roundId}`).toBe(
        401,
      );
    }
    await waitForLocalIdle();
    expect(await inboxDepths()).toEqual(depths);
    expect(await snapshotIncidents()).toBe(incidents);

    // A batch delivered again within the tolerance (a sender that never saw the 202) is accepted; the
    // clouds' queues take it, the engine decides every result duplicate, and nobody is notified.
    const told = Object.fromEntries(
      await Promise.all(DEPLOYMENTS.map(async (id) => [id, (await notifyingDecisions(id)).length] as const)),
    );
    for (const receiver of DEPLOYMENTS) {
      const latest = meshPosts(fronts[receiver])
        .filter(({ request }) => request.status === 202)
        .at(-1);
      if (!latest) throw new Error(`${receiver} received nothing`);
      expect(await replay(fronts[receiver], latest.request)).toBe(202);
      if (receiver === AZURE) expect(await drainAzureQueue()).toBe(1);
      if (receiver === AWS) expect(await drainSqs()).toBe(1);
      if (receiver !== LOCAL) {
        const duplicates = (await listDecisions(await stores[receiver]())).filter(
          (decision) => decision.kind === 'duplicate' && decision.decidedAt === now().toISOString(),
        );
        for (const event of latest.batch.events)
          expect(
            duplicates.some((decision) => decision.updateKey === event.data.updateKey),
            `${receiver}: ${event.data.updateKey} decided duplicate`,
          ).toBe(true);
      }
    }
    // The runner's inbox knows the body already (same sha256): nothing new to process.
    await waitForLocalIdle();
    for (const id of DEPLOYMENTS) {
      expect((await notifyingDecisions(id)).length, id).toBe(told[id]);
      await expectNotifiedOnceEach(id);
    }
  });

  it('5. no loop: nobody ever received its own results back, and every batch holds only its sender’s results', async () => {
    let batches = 0;
    for (const receiver of DEPLOYMENTS) {
      for (const { request, batch } of meshPosts(fronts[receiver])) {
        if (request.status !== 202) continue;
        batches++;
        expect(batch.kind).toBe('crosswatch.peer-batch');
        expect(batch.hops).toBe(1);
        expect(batch.from).not.toBe(receiver);
        expect(batch.events.length).toBeGreaterThan(0);
        for (const event of batch.events) {
          expect(event.data.vantage.id, `${batch.from} → ${receiver}`).toBe(batch.from);
          expect(event.data.roundId).toBe(batch.roundId);
        }
      }
    }
    expect(batches).toBeGreaterThanOrEqual(4 * minute);
    // What each deployment queued for its peers, read from its own outbox, is only its own round.
    for (const id of DEPLOYMENTS) {
      for (const delivery of (await listDeliveries(await stores[id]())).filter((d) =>
        d.sink.startsWith('peer:'),
      )) {
        const message = delivery.message as { kind: string; body: string };
        const batch = JSON.parse(message.body) as SentBatch;
        expect(batch.from).toBe(id);
        expect(new Set(batch.events.map((event) => event.data.vantage.id))).toEqual(new Set([id]));
      }
    }
    // No receiver dropped an echo of its own vantage (there never was one to drop).
    const logs = [...azure.logs.map((line) => line.text), ...lambda.lines, ...localLines].join('\n');
    expect(logs).not.toContain('results of our own vantage came back');
    expect(localLines.join('\n')).not.toMatch(/"msg":"(request failed|background processing failed)"/);
  });
});
