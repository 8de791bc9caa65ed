/**
 * The inbox on an Azure Storage Queue (`@azure/storage-queue`, imported on first use): `put` resolves
 * once the queue accepted the message (HTTP 201 from the service), so the ingress answers 202 only
 * for durable input. The message text is base64 (what the Functions queue trigger expects by
 * default); entries over the 64 KiB message limit park their body in the evidence archive.
 * Consumers: the `processInbox` function (queue trigger; after host.json's maxDequeueCount a message
 * moves to `<queue>-poison`).
 */
import type { QueueClient } from '@azure/storage-queue';
import type { EvidenceArchive } from '../store/ports.ts';
import { type Inbox, type InboxEntry, InboxUnavailableError } from './inbox.ts';
import { encodeInboxMessage } from './queue-inbox-message.ts';

/** Azure Storage Queue's limit on one message, counted after base64 encoding. */
export const AZURE_QUEUE_MAX_MESSAGE_BYTES = 64 * 1024;

export interface AzureQueueInboxOptions {
  /** A storage account connection string. Never logged. */
  readonly connectionString: string;
  /** 3–63 lower-case letters, digits and dashes. */
  readonly queueName: string;
  /** Create the queue on first use when missing (default true). */
  readonly createQueue?: boolean;
  /** Where bodies too large for one message go. */
  readonly overflow?: EvidenceArchive;
  /**
   * Tries per send and the timeout of each (default 2 × 3 s): the action group gives up after ~10 s,
   * so the ingress must answer 503 well before that instead of retrying for longer.
   */
  readonly maxTries?: number;
  readonly tryTimeoutMs?: number;
}

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function createAzureQueueInbox(options: AzureQueueInboxOptions): Inbox {
  if (!QUEUE_NAME.test(options.queueName)) {
    throw new TypeError(`invalid Azure queue name "${options.queueName}"`);
  }
  let client: Promise<QueueClient> | undefined;
  const open = async (): Promise<QueueClient> => {
    const { QueueServiceClient } = await import('@azure/storage-queue');
    const queue = QueueServiceClient.fromConnectionString(options.connectionString, {
      retryOptions: {
        maxTries: options.maxTries ?? 2,
        tryTimeoutInMs: options.tryTimeoutMs ?? 3000,
        retryDelayInMs: 200,
        maxRetryDelayInMs: 1000,
      },
    }).getQueueClient(options.queueName);
    if (options.createQueue ?? true) await queue.createIfNotExists();
    return queue;
  };

  return {
    async put(entry: InboxEntry): Promise<void> {
      try {
        client ??= open();
        const queue = await client.catch((error: unknown) => {
          client = undefined;
          throw error;
        });
        const text = await encodeInboxMessage(entry, {
          maxMessageBytes: AZURE_QUEUE_MAX_MESSAGE_BYTES,
          measure: (json) => Math.ceil(Buffer.byteLength(json, 'utf8') / 3) * 4,
          ...(options.overflow ? { overflow: options.overflow } : {}),
        });
        await queue.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
      } catch (error) {
        throw new InboxUnavailableError('the Azure queue did not accept the entry', { cause: error });
      }
    },
  };
}
