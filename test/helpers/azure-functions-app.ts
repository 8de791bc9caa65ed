/**
 * The Azure Functions app under test: Azurite (table store, blob evidence, inbox queue) on
 * loopback, the app context configured from app settings as the host would pass them, the real file
 * sink writing notifications to a temp file, and InvocationContexts from @azure/functions whose log
 * handler records every line (for the no-secrets-in-logs assertions).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext, type Timer } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { type AppContextOptions, configureAppContext } from '../../functions/azure/app-context.ts';
import { type AzuriteServer, startAzurite } from './azurite.ts';

export const WEBHOOK_TOKEN = 'azure-test-token-0123456789abcdef';

export interface LoggedLine {
  readonly level: string;
  readonly text: string;
}

export interface AzureAppHarness {
  readonly azurite: AzuriteServer;
  readonly dir: string;
  readonly sinkFile: string;
  readonly env: Record<string, string>;
  readonly logs: LoggedLine[];
  context(functionName: string, triggerMetadata?: Record<string, unknown>): InvocationContext;
  configure(
    overrides?: Partial<AppContextOptions> & { readonly env?: Record<string, string> },
  ): Promise<void>;
  /** The notifications the file sink wrote (JSON lines). */
  notifications(): Record<string, unknown>[];
  queueDepth(queueName?: string): Promise<number>;
  stop(): Promise<void>;
}

export function createTimer(isPastDue = false): Timer {
  const now = new Date().toISOString();
  return {
    isPastDue,
    schedule: { adjustForDST: true },
    scheduleStatus: { last: now, next: now, lastUpdated: now },
  };
}

let tableCounter = 0;

export async function startAzureApp(): Promise<AzureAppHarness> {
  const azurite = await startAzurite();
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-azure-app-'));
  const sinkFile = join(dir, 'notifications.jsonl');
  const logs: LoggedLine[] = [];
  tableCounter += 1;
  const env: Record<string, string> = {
    CROSSWATCH_STORE_KIND: 'azure-table',
    CROSSWATCH_STORE_CONNECTION_STRING: azurite.connectionString,
    CROSSWATCH_STORE_TABLE_NAME: `crosswatch${Date.now().toString(36)}${tableCounter}`,
    CROSSWATCH_EVIDENCE_KIND: 'azure-blob',
    CROSSWATCH_EVIDENCE_CONNECTION_STRING: azurite.connectionString,
    CROSSWATCH_EVIDENCE_CONTAINER: 'evidence',
    CROSSWATCH_STORAGE: azurite.connectionString,
    CROSSWATCH_INBOX_QUEUE: 'crosswatch-inbox',
    CROSSWATCH_WEBHOOK_TOKENS: WEBHOOK_TOKEN,
    CROSSWATCH_WEBHOOK_MAX_BODY_BYTES: String(64 * 1024),
    CROSSWATCH_VANTAGE_ID: 'azure-westeurope',
    CROSSWATCH_VANTAGE_CLOUD: 'azure',
    CROSSWATCH_CONFIG: JSON.stringify({ notify: { sinks: [{ kind: 'file', name: 'ops', path: sinkFile }] } }),
  };
  const harness: AzureAppHarness = {
    azurite,
    dir,
    sinkFile,
    env,
    logs,
    context(functionName, triggerMetadata) {
      return new InvocationContext({
        invocationId: `test-${functionName}-${Math.random().toString(36).slice(2, 8)}`,
        functionName,
        ...(triggerMetadata ? { triggerMetadata } : {}),
        logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(' ') }),
      });
    },
    async configure(overrides = {}) {
      const { env: extraEnv, ...rest } = overrides;
      await configureAppContext({ env: { ...env, ...extraEnv }, cwd: dir, ...rest });
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
    async queueDepth(queueName = 'crosswatch-inbox') {
      const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
        queueName,
      );
      if (!(await queue.exists())) return 0;
      const peeked = await queue.peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.length;
    },
    async stop() {
      await configureAppContext({});
      await azurite.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await harness.configure();
  return harness;
}
