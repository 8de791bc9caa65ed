/**
 * Takes inbox messages straight off the Azure Storage Queue, beside the Functions queue trigger, so
 * the `processInbox` function can process the message it was triggered with together with up to 31
 * more as one batch (pipeline/process-inbox-batch.ts) instead of one invocation per message.
 *
 * `receive(max)` takes up to `max` (≤ 32, the service's limit per call) messages with a visibility
 * timeout: they stay invisible while the batch runs and, if they are never removed (the batch
 * failed, the instance died), come back after it, so nothing is lost. Their text is decoded as the
 * trigger does it (base64, host.json `messageEncoding`) to the JSON text that `decodeInboxMessage`
 * reads; a text that is not base64 of UTF-8 is handed over as it is (kept as unreadable evidence by
 * the caller). `remove(messages)` deletes them with their pop receipts, a bounded number at a time;
 * a failed delete is only counted: the message comes back later and is processed again, which the
 * pipeline makes harmless (content-addressed evidence, updateKey dedupe, deterministic ids).
 *
 * Poison handling stays the host's: `dequeueCount` counts this receive too, and a message that
 * reaches the host's maxDequeueCount (host.json: 5) here is not taken but made visible again at
 * once. So a message is in at most maxDequeueCount − 1 batches; the host's own next try of it has a
 * dequeueCount of at least maxDequeueCount, after whose failure the host moves it to
 * `<queue>-poison`. `@azure/storage-queue` is imported on first use; the connection string is never
 * logged nor put in an error.
 */
import type { QueueClient } from '@azure/storage-queue';

/** host.json `extensions.queues.maxDequeueCount`. */
export const HOST_MAX_DEQUEUE_COUNT = 5;
/** The most messages one receive call takes (Azure Storage Queue's limit). */
export const AZURE_QUEUE_MAX_RECEIVE = 32;

export interface AzureQueueReceiverOptions {
  /** A storage account connection string (the inbox's). Never logged. */
  readonly connectionString: string;
  readonly queueName: string;
  /** How long a received message stays invisible (default 60 s; the batch must be done by then). */
  readonly visibilityTimeoutSeconds?: number;
  /** The host's maxDequeueCount (default HOST_MAX_DEQUEUE_COUNT). */
  readonly maxDequeueCount?: number;
  /** Deletes in flight at once (default 8). */
  readonly removeConcurrency?: number;
  /** Tries per request and the timeout of each (default 2 × 5 s). */
  readonly maxTries?: number;
  readonly tryTimeoutMs?: number;
}

export interface ReceivedQueueMessage {
  /** The message text decoded from base64: what the queue trigger would hand the function. */
  readonly text: string;
  readonly messageId: string;
  readonly popReceipt: string;
  /** How many times the message was taken, this receive included. */
  readonly dequeueCount: number;
}

export interface RemovedQueueMessages {
  readonly removed: number;
  /** Deletes that failed (those messages come back after the visibility timeout). */
  readonly failed: number;
}

export interface AzureQueueReceiver {
  /** Up to `max` more messages, minus those left to the host's poison handling. */
  receive(max: number): Promise<ReceivedQueueMessage[]>;
  remove(messages: readonly ReceivedQueueMessage[]): Promise<RemovedQueueMessages>;
}

/** The queue could not be read; no message was taken. */
export class QueueReceiveError extends Error {
  override name = 'QueueReceiveError';
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The trigger's decoding (messageEncoding base64); text that is not base64 of UTF-8 stays as it is. */
export function decodeQueueMessageText(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.length % 4 !== 0 || !BASE64.test(trimmed)) return raw;
  try {
    return UTF8.decode(Buffer.from(trimmed, 'base64'));
  } catch {
    return raw;
  }
}

async function runBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export function createAzureQueueReceiver(options: AzureQueueReceiverOptions): AzureQueueReceiver {
  const visibilityTimeout = options.visibilityTimeoutSeconds ?? 60;
  if (!Number.isInteger(visibilityTimeout) || visibilityTimeout < 1) {
    throw new TypeError('visibilityTimeoutSeconds must be a whole number of seconds ≥ 1');
  }
  const maxDequeueCount = options.maxDequeueCount ?? HOST_MAX_DEQUEUE_COUNT;
  const concurrency = options.removeConcurrency ?? 8;
  let client: Promise<QueueClient> | undefined;
  const open = async (): Promise<QueueClient> => {
    const { QueueServiceClient } = await import('@azure/storage-queue');
    return QueueServiceClient.fromConnectionString(options.connectionString, {
      retryOptions: {
        maxTries: options.maxTries ?? 2,
        tryTimeoutInMs: options.tryTimeoutMs ?? 5000,
        retryDelayInMs: 200,
        maxRetryDelayInMs: 1000,
      },
    }).getQueueClient(options.queueName);
  };
  const queue = (): Promise<QueueClient> => {
    client ??= open().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };

  return {
    async receive(max) {
      const count = Math.min(Math.floor(max), AZURE_QUEUE_MAX_RECEIVE);
      if (!(count >= 1)) return [];
      let items: Awaited<ReturnType<QueueClient['receiveMessages']>>['receivedMessageItems'];
      try {
        const response = await (await queue()).receiveMessages({
          numberOfMessages: count,
          visibilityTimeout,
        });
        items = response.receivedMessageItems;
      } catch (error) {
        throw new QueueReceiveError(`the queue "${options.queueName}" could not be read`, { cause: error });
      }
      const taken: ReceivedQueueMessage[] = [];
      const released: typeof items = [];
      for (const item of items) {
        if (item.dequeueCount >= maxDequeueCount) released.push(item);
        else
          taken.push({
            text: decodeQueueMessageText(item.messageText),
            messageId: item.messageId,
            popReceipt: item.popReceipt,
            dequeueCount: item.dequeueCount,
          });
      }
      // Visible again at once, for the host's own try and then its poison handling. A failed release
      // only delays that until the visibility timeout ends.
      if (released.length > 0) {
        const client = await queue();
        await runBounded(released, concurrency, async (item) => {
          await client.updateMessage(item.messageId, item.popReceipt, undefined, 0).catch(() => undefined);
        });
      }
      return taken;
    },

    async remove(messages) {
      if (messages.length === 0) return { removed: 0, failed: 0 };
      let failed = 0;
      const client = await queue().catch(() => null);
      if (!client) return { removed: 0, failed: messages.length };
      await runBounded(messages, concurrency, async (message) => {
        try {
          await client.deleteMessage(message.messageId, message.popReceipt);
        } catch {
          failed += 1;
        }
      });
      return { removed: messages.length - failed, failed };
    },
  };
}
