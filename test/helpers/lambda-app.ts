/**
 * The Lambda handlers under test: dynalite (DynamoDB state store) and moto's server mode (SQS
 * inbox, Secrets Manager, SSM) on loopback, the Lambda context configured from environment
 * variables as Lambda would pass them, the real file sink, and a Lambda `Context` object. Log and
 * EMF lines are captured instead of going to stdout. The DynamoDB store reads credentials from the
 * SDK's default chain, so the harness sets static AWS_* test credentials in process.env while it runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { configureLambdaContext, type LambdaContextOptions } from '../../functions/aws/lambda-context.ts';
import { ensureDynamoDbTable } from '../../shared/store/dynamodb-store.ts';
import { type DynaliteServer, startDynalite } from './dynalite.ts';
import { type MotoServer, startMoto } from './moto-server.ts';

export const LAMBDA_WEBHOOK_TOKEN = 'aws-test-token-0123456789abcdef';
export const LAMBDA_WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export function loadLambdaFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/aws-lambda/${name}`, import.meta.url), 'utf8')) as T;
}

export interface LambdaHarness {
  readonly dynalite: DynaliteServer;
  readonly moto: MotoServer;
  readonly dir: string;
  readonly queueUrl: string;
  readonly env: Record<string, string>;
  readonly lines: string[];
  context(functionName: string, remainingMs?: number): Context;
  configure(
    overrides?: Partial<LambdaContextOptions> & { readonly env?: Record<string, string> },
  ): Promise<void>;
  notifications(): Record<string, unknown>[];
  queueDepth(): Promise<number>;
  purgeQueue(): Promise<void>;
  /** Parsed JSON log/EMF lines. */
  records(): Record<string, unknown>[];
  stop(): Promise<void>;
}

const TEST_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

export async function startLambdaApp(): Promise<LambdaHarness> {
  const saved = Object.fromEntries(Object.keys(TEST_ENV).map((key) => [key, process.env[key]]));
  Object.assign(process.env, TEST_ENV);
  const [dynalite, moto] = await Promise.all([startDynalite(), startMoto()]);
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-lambda-'));
  const sinkFile = join(dir, 'notifications.jsonl');
  const tableName = 'crosswatch-state';
  await ensureDynamoDbTable({
    tableName,
    client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: moto.credentials },
  });
  const aws = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
  const sqs = new SQSClient(aws);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'crosswatch-inbox' }));
  if (!QueueUrl) throw new Error('no queue url');
  const lines: string[] = [];
  const env: Record<string, string> = {
    CROSSWATCH_CONFIG: JSON.stringify({
      store: { kind: 'dynamodb', tableName, endpoint: dynalite.endpoint, region: 'us-east-1' },
      evidence: { kind: 'directory', path: join(dir, 'evidence') },
      notify: { sinks: [{ kind: 'file', name: 'ops', path: sinkFile }] },
    }),
    CROSSWATCH_INBOX_QUEUE_URL: QueueUrl,
    CROSSWATCH_WEBHOOK_TOKENS: LAMBDA_WEBHOOK_TOKEN,
    CROSSWATCH_WEBHOOK_SECRETS: LAMBDA_WEBHOOK_SECRET,
    CROSSWATCH_WEBHOOK_MAX_BODY_BYTES: String(64 * 1024),
    CROSSWATCH_VANTAGE_ID: 'aws-eu-west-1',
    CROSSWATCH_VANTAGE_CLOUD: 'aws',
    CROSSWATCH_VANTAGE_REGION: 'eu-west-1',
  };
  const harness: LambdaHarness = {
    dynalite,
    moto,
    dir,
    queueUrl: QueueUrl,
    env,
    lines,
    context(functionName, remainingMs = 60_000) {
      const deadline = Date.now() + remainingMs;
      return {
        callbackWaitsForEmptyEventLoop: true,
        functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
        memoryLimitInMB: '512',
        awsRequestId: `req-${Math.random().toString(36).slice(2, 10)}`,
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName: '2026/11/29/[$LATEST]0123456789abcdef',
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      };
    },
    async configure(overrides = {}) {
      const { env: extraEnv, ...rest } = overrides;
      await configureLambdaContext({
        env: { ...env, ...extraEnv },
        cwd: dir,
        aws,
        write: (line) => lines.push(line),
        ...rest,
      });
    },
    notifications() {
      try {
        return readFileSync(sinkFile, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return [];
        throw error;
      }
    },
    async queueDepth() {
      const result = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return Number(result.Attributes?.ApproximateNumberOfMessages ?? 0);
    },
    async purgeQueue() {
      await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    },
    records() {
      return lines
        .flatMap((line) => line.split('\n'))
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line));
    },
    async stop() {
      await configureLambdaContext({});
      await Promise.all([dynalite.stop(), moto.stop()]);
      rmSync(dir, { recursive: true, force: true });
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
  await harness.configure();
  return harness;
}
