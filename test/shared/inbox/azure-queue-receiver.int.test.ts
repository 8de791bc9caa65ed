/**
 * The Azure queue receiver (the `processInbox` function's extra messages) on Azurite's queue service
 * (loopback), fed by the real Azure queue inbox: the text it returns is what `decodeInboxMessage`
 * reads, it takes at most 32 at once, `remove` deletes with the pop receipts (a stale one is only
 * counted), and a message that reached the host's maxDequeueCount is left visible for the host.
 */
import { readFileSync } from 'node:fs';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureQueueInbox } from '../../../shared/inbox/azure-queue-inbox.ts';
import {
  createAzureQueueReceiver,
  decodeQueueMessageText,
  HOST_MAX_DEQUEUE_COUNT,
  QueueReceiveError,
} from '../../../shared/inbox/azure-queue-receiver.ts';
import { createInboxEntry, type InboxEntry } from '../../../shared/inbox/inbox.ts';
import { decodeInboxMessage } from '../../../shared/inbox/queue-inbox-message.ts';
import { type AzuriteServer, startAzurite } from '../../helpers/azurite.ts';

let azurite: AzuriteServer;
let queueCounter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

function entryOf(index: number): InboxEntry {
  return createInboxEntry(Buffer.from(JSON.stringify({ index })), {
    source: 'webhook',
    contentType: 'application/json',
    receivedAt: new Date(Date.UTC(2026, 1, 6, 11, 0, 0, index)),
  });
}

/** A fresh queue holding `count` inbox entries put by the real inbox. */
async function fillQueue(count: number) {
  queueCounter += 1;
  const queueName = `receiver-${queueCounter}`;
  const inbox = createAzureQueueInbox({ connectionString: azurite.connectionString, queueName });
  const entries = Array.from({ length: count }, (_, index) => entryOf(index));
  for (const entry of entries) await inbox.put(entry);
  const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(queueName);
  const messageCount = async () => (await client.getProperties()).approximateMessagesCount ?? -1;
  return { queueName, entries, client, messageCount };
}

describe('createAzureQueueReceiver', () => {
  it('keeps the host maxDequeueCount of host.json', () => {
    const host = JSON.parse(readFileSync(new URL('../../../host.json', import.meta.url), 'utf8'));
    expect(host.extensions.queues.maxDequeueCount).toBe(HOST_MAX_DEQUEUE_COUNT);
  });

  it('returns the decoded text, at most 32 at once, and remove deletes them', async () => {
    const { queueName, entries, messageCount } = await fillQueue(40);
    const receiver = createAzureQueueReceiver({ connectionString: azurite.connectionString, queueName });
    const received = await receiver.receive(40);
    expect(received).toHaveLength(32);
    const decoded = await Promise.all(received.map((message) => decodeInboxMessage(message.text)));
    const put = new Map(entries.map((entry) => [entry.id, entry]));
    for (const entry of decoded) expect(entry).toEqual(put.get(entry.id));
    expect(new Set(decoded.map((entry) => entry.id)).size).toBe(32);
    expect(received.every((message) => message.text.startsWith('{') && message.dequeueCount === 1)).toBe(
      true,
    );
    // Received messages are invisible: the next receive takes only the other 8.
    expect(await receiver.receive(32)).toHaveLength(8);
    expect(await receiver.remove(received)).toEqual({ removed: 32, failed: 0 });
    expect(await messageCount()).toBe(8);
    expect(await receiver.receive(0)).toEqual([]);
  });

  it('counts a delete with a stale pop receipt as failed instead of throwing', async () => {
    const { queueName, client, messageCount } = await fillQueue(1);
    const receiver = createAzureQueueReceiver({ connectionString: azurite.connectionString, queueName });
    const [message] = await receiver.receive(1);
    if (!message) throw new Error('no message received');
    // Someone else makes it visible and takes it again: the first pop receipt is no longer valid.
    await client.updateMessage(message.messageId, message.popReceipt, undefined, 0);
    const again = await receiver.receive(1);
    expect(again).toHaveLength(1);
    expect(await receiver.remove([message])).toEqual({ removed: 0, failed: 1 });
    expect(await receiver.remove(again)).toEqual({ removed: 1, failed: 0 });
    expect(await messageCount()).toBe(0);
  });

  it('leaves a message that reached maxDequeueCount visible for the host', async () => {
    const { queueName, client, entries } = await fillQueue(1);
    const worn = entries[0];
    // Four earlier tries: this receive makes it the fifth, the host's last.
    for (let i = 0; i < HOST_MAX_DEQUEUE_COUNT - 1; i++) {
      const [item] = (await client.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
      if (!item) throw new Error('no message to wear');
      await client.updateMessage(item.messageId, item.popReceipt, undefined, 0);
    }
    const fresh = entryOf(1000);
    await createAzureQueueInbox({ connectionString: azurite.connectionString, queueName }).put(fresh);
    const receiver = createAzureQueueReceiver({ connectionString: azurite.connectionString, queueName });
    const received = await receiver.receive(32);
    expect(received).toHaveLength(1);
    expect((await decodeInboxMessage(received[0]?.text)).id).toBe(fresh.id);
    // Visible again at once, with its text unchanged.
    const peeked = (await client.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    expect(peeked).toHaveLength(1);
    expect(peeked[0]?.dequeueCount).toBe(HOST_MAX_DEQUEUE_COUNT);
    expect((await decodeInboxMessage(peeked[0]?.messageText)).id).toBe(worn?.id);
  });

  it('hands over text that is not base64 of UTF-8 as it is', () => {
    expect(decodeQueueMessageText(Buffer.from('{"v":1}').toString('base64'))).toBe('{"v":1}');
    expect(decodeQueueMessageText('definitely not base64!')).toBe('definitely not base64!');
    expect(decodeQueueMessageText(Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'))).toBe('//79');
  });

  it('throws QueueReceiveError without the connection string when the queue is missing', async () => {
    const receiver = createAzureQueueReceiver({
      connectionString: azurite.connectionString,
      queueName: 'no-such-queue',
      maxTries: 1,
    });
    const error = await receiver.receive(1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueReceiveError);
    expect(String((error as Error).message)).not.toContain('AccountKey');
    expect(String((error as Error).message)).toContain('no-such-queue');
  });
});
