/**
 * The deployable bundles themselves, not the TypeScript sources: `scripts/build.mjs` builds the AWS
 * webhook handler and the Azure app into a temp directory, and fresh `node` processes import them and
 * invoke them — the webhook against moto's SQS on loopback, the Azure `heartbeat` and `status`
 * functions on the memory store — so banner, code splitting, lazy chunks and externals are
 * exercised as Lambda and the Functions host would load them. The only packages the bundles find
 * outside themselves are the AWS SDK v3 scopes the Lambda runtime provides (linked in for the AWS
 * bundles) and none at all for the Azure app. In the child, the InvocationContext
 * is a plain object with the logging methods the functions call: the bundle carries its own copy of
 * @azure/functions, which the test process cannot construct objects of.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMoto } from '../helpers/moto-server.ts';

let out: string;
let moto: MotoServer;
let queueUrl: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'crosswatch-bundles-'));
  const built = spawnSync(
    process.execPath,
    ['scripts/build.mjs', '--cloud-only=aws/webhook,azure', `--cloud-outdir=${out}`],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  // The Lambda bundles take AWS SDK v3 from the Lambda runtime (build.mjs --aws-sdk=runtime): stand
  // in for the runtime's copy with links to ours, and nothing else (the Azure app must be complete).
  mkdirSync(join(out, 'aws', 'node_modules'), { recursive: true });
  for (const scope of ['@aws-sdk', '@smithy']) {
    symlinkSync(resolve('node_modules', scope), join(out, 'aws', 'node_modules', scope), 'dir');
  }
  moto = await startMoto();
  const sqs = new SQSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
  const created = await sqs.send(new CreateQueueCommand({ QueueName: 'bundle-inbox' }));
  if (!created.QueueUrl) throw new Error('no queue');
  queueUrl = created.QueueUrl;
}, 180_000);
afterAll(async () => {
  await moto?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

function runChild(script: string, env: Record<string, string>): unknown {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
    cwd: out,
  });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  const last = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}

describe('built bundles', () => {
  it('the AWS webhook bundle answers a Function URL event with 202 after SendMessage', async () => {
    const fixture = resolve('test/fixtures/aws-lambda/function-url-service-health.json');
    const handler = pathToFileURL(join(out, 'aws/webhook/index.mjs')).href;
    const result = runChild(
      `import { readFileSync } from 'node:fs';
       const { handler } = await import(${JSON.stringify(handler)});
       const event = JSON.parse(readFileSync(${JSON.stringify(fixture)}, 'utf8'));
       const context = { awsRequestId: 'bundle', functionName: 'webhook', getRemainingTimeInMillis: () => 30000 };
       const response = await handler(event, context);
       console.log(JSON.stringify(response));`,
      {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: moto.region,
        AWS_ENDPOINT_URL_SQS: moto.endpoint,
        CROSSWATCH_INBOX_QUEUE_URL: queueUrl,
        CROSSWATCH_WEBHOOK_TOKENS: 'aws-test-token-0123456789abcdef',
        CROSSWATCH_CONFIG: JSON.stringify({ store: { kind: 'memory' }, evidence: { kind: 'none' } }),
      },
    ) as { statusCode: number };
    expect(result.statusCode).toBe(202);
    const sqs = new SQSClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: moto.credentials,
    });
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages).toHaveLength(1);
  });

  it('the Azure app loads every function file of the main glob; heartbeat then status work from the bundle', () => {
    const dir = join(out, 'azure/functions');
    const files = readdirSync(dir).filter((name) => name.endsWith('.mjs'));
    expect(files.sort()).toEqual(
      [
        'deliver',
        'heartbeat',
        'inbox-poison',
        'mesh',
        'poll-provider-health',
        'probe',
        'process-inbox',
        'service-health-webhook',
        'status',
        'watchdog',
      ].map((name) => `${name}.mjs`),
    );
    const urls = files.map((file) => pathToFileURL(join(dir, file)).href);
    const result = runChild(
      `console.warn = () => {};
       const modules = {};
       for (const url of ${JSON.stringify(urls)}) modules[url.split('/').pop()] = await import(url);
       const lines = [];
       const context = (name) => ({ invocationId: 'i-' + name, functionName: name, debug: (l) => lines.push(l), info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) });
       const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
       await modules['heartbeat.mjs'].heartbeat(timer, context('heartbeat'));
       const response = await modules['status.mjs'].status({}, context('status'));
       console.log(JSON.stringify({ status: response.status, body: JSON.parse(response.body), lines: lines.length }));`,
      {
        CROSSWATCH_STORE_KIND: 'memory',
        CROSSWATCH_EVIDENCE_KIND: 'none',
        CROSSWATCH_DEPLOYMENT_ID: 'azure-bundle',
      },
    ) as {
      status: number;
      body: { deploymentId: string; heartbeat: { lastHeartbeatAt: string | null } };
      lines: number;
    };
    expect(result.status).toBe(200);
    expect(result.body.deploymentId).toBe('azure-bundle');
    expect(result.body.heartbeat.lastHeartbeatAt).toEqual(expect.any(String));
    expect(result.lines).toBeGreaterThan(0);
  });
});
