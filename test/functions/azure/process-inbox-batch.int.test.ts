/**
 * `processInbox`'s opportunistic batches on Azurite (table store, blob evidence, inbox queue on
 * loopback) with real InvocationContexts: the test plays the Functions host — it takes one message
 * off the queue, hands the handler the parsed JSON, deletes the message when the handler returns and
 * leaves it when it throws — while the handler takes up to 31 more itself. A Service Health storm
 * (4 publications × 15 subscriptions) is decided exactly once; a store outage deletes nothing and
 * every message comes back; a message at the host's maxDequeueCount is left to the host.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInbox } from '../../../functions/azure/process-inbox.ts';
import { listDecisions } from '../../../shared/engine/decision-log.ts';
import { createAzureQueueInbox } from '../../../shared/inbox/azure-queue-inbox.ts';
import { HOST_MAX_DEQUEUE_COUNT } from '../../../shared/inbox/azure-queue-receiver.ts';
import type { InboxEntry } from '../../../shared/inbox/inbox.ts';
import { decodeInboxMessage } from '../../../shared/inbox/queue-inbox-message.ts';
import { OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { createAzureTableStore } from '../../../shared/store/azure-table-store.ts';
import { StoreUnavailableError } from '../../../shared/store/ports.ts';
import { type AzureAppHarness, startAzureApp } from '../../helpers/azure-functions-app.ts';
import {
  buildServiceHealthWebhookStorm,
  STORM_TRACKING_ID,
  toInboxEntries,
} from '../../helpers/service-health-webhooks.ts';

const NOW = new Date('2026-02-06T12:00:00.000Z');
const storm = toInboxEntries(buildServiceHealthWebhookStorm({ subscriptions: 15, copies: 1, seed: 5 }));

let app: AzureAppHarness;

beforeAll(async () => {
  app = await startAzureApp();
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

function openQueue(queueName: string) {
  return QueueServiceClient.fromConnectionString(app.azurite.connectionString).getQueueClient(queueName);
}

async function putAll(queueName: string, entries: readonly InboxEntry[]): Promise<void> {
  const inbox = createAzureQueueInbox({ connectionString: app.azurite.connectionString, queueName });
  for (const entry of entries) await inbox.put(entry);
}

async function countMessages(queueName: string): Promise<number> {
  return (await openQueue(queueName).getProperties()).approximateMessagesCount ?? -1;
}

/**
 * One invocation as the host runs it: one message taken (invisible for `visibilitySeconds`), its
 * base64 text decoded and parsed, deleted when the handler returns. False when the queue was empty.
 */
async function invokeAsHost(queueName: string, visibilitySeconds = 30): Promise<boolean> {
  const queue = openQueue(queueName);
  const received = await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: visibilitySeconds });
  const item = received.receivedMessageItems[0];
  if (!item) return false;
  const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
  await processInbox(message, app.context('processInbox', { dequeueCount: item.dequeueCount }));
  await queue.deleteMessage(item.messageId, item.popReceipt);
  return true;
}

function logged(msg: string): Record<string, unknown>[] {
  return app.logs
    .map((line) => line.text)
    .filter((text) => text.includes(`"msg":"${msg}"`))
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

function store() {
  return createAzureTableStore({
    connectionString: app.azurite.connectionString,
    tableName: app.env.CROSSWATCH_STORE_TABLE_NAME ?? '',
  });
}

async function countDeliveries(): Promise<number> {
  const opened = store();
  try {
    return (await opened.list(OUTBOX_COLLECTIONS.deliveries, { limit: 1000 })).items.length;
  } finally {
    await opened.close();
  }
}

async function listDistinctDecisions() {
  const opened = store();
  try {
    return (await listDecisions(opened)).filter((decision) => decision.kind !== 'duplicate');
  } finally {
    await opened.close();
  }
}

/** Every message of the queue visible again (bounded wait for the visibility timeout to end). */
async function waitUntilVisible(queueName: string, count: number) {
  const queue = openQueue(queueName);
  for (let attempt = 0; attempt < 150; attempt++) {
    const peeked = (await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    if (peeked.length >= count) return peeked;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the ${count} messages of ${queueName} did not become visible again`);
}

describe('processInbox: opportunistic batches', () => {
  it('a storm of 60 queued webhooks: 32 per invocation, deleted, exactly 4 decisions and 4 deliveries', async () => {
    const queueName = 'storm-batch';
    await app.configure({ now: () => NOW, env: { CROSSWATCH_INBOX_QUEUE: queueName } });
    expect(storm).toHaveLength(60);
    await putAll(queueName, storm);
    app.logs.length = 0;

    expect(await invokeAsHost(queueName)).toBe(true);
    expect(logged('inbox batch processed')).toEqual([
      expect.objectContaining({ records: 32, removed: 31, events: 32, decisions: 32 }),
    ]);
    expect(await countMessages(queueName)).toBe(28);

    let invocations = 1;
    while (await invokeAsHost(queueName)) {
      invocations += 1;
      expect(invocations).toBeLessThanOrEqual(60);
    }
    expect(invocations).toBe(2);
    expect(await countMessages(queueName)).toBe(0);
    const batches = logged('inbox batch processed');
    expect(batches.map((line) => line.records)).toEqual([32, 28]);
    expect(batches.reduce((sum, line) => sum + Number(line.queued), 0)).toBe(4);

    const distinct = await listDistinctDecisions();
    expect(distinct.map((decision) => decision.kind).sort()).toEqual(['open', 'resolve', 'update', 'update']);
    expect(new Set(distinct.map((decision) => decision.incidentKey))).toEqual(
      new Set([`azure:${STORM_TRACKING_ID}`]),
    );
    expect(await countDeliveries()).toBe(4);
    const sent = app.notifications();
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((line) => JSON.stringify(line.message)))).toHaveProperty('size', 4);
  }, 120_000);

  it('a store outage: the handler throws, no extra message is deleted, all come back; later exactly once', async () => {
    const queueName = 'storm-fail';
    const entries = storm.slice(0, 10);
    await putAll(queueName, entries);
    await app.configure({
      now: () => NOW,
      inboxBatchVisibilitySeconds: 1,
      env: {
        CROSSWATCH_INBOX_QUEUE: queueName,
        CROSSWATCH_STORE_CONNECTION_STRING: app.azurite.connectionString.replace(
          /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
          'TableEndpoint=http://127.0.0.1:1',
        ),
      },
    });
    app.logs.length = 0;
    const failure = await invokeAsHost(queueName, 1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(
      failure instanceof StoreUnavailableError || (failure as Error).cause instanceof StoreUnavailableError,
    ).toBe(true);
    expect(logged('inbox batch failed, processing the trigger message alone')).toEqual([
      expect.objectContaining({ records: 10 }),
    ]);
    expect(logged('inbox batch processed')).toEqual([]);
    expect(await countMessages(queueName)).toBe(10);
    const back = await waitUntilVisible(queueName, 10);
    expect(back.map((item) => item.dequeueCount)).toEqual(Array(10).fill(1));
    const ids = await Promise.all(
      back.map(
        async (item) =>
          (await decodeInboxMessage(Buffer.from(item.messageText, 'base64').toString('utf8'))).id,
      ),
    );
    expect(ids.sort()).toEqual(entries.map((entry) => entry.id).sort());

    // The store is back: the same inputs again decide nothing new and send nothing twice.
    const before = await listDistinctDecisions();
    await app.configure({ now: () => NOW, env: { CROSSWATCH_INBOX_QUEUE: queueName } });
    while (await invokeAsHost(queueName)) {}
    expect(await countMessages(queueName)).toBe(0);
    expect((await listDistinctDecisions()).map((decision) => decision.id).sort()).toEqual(
      before.map((decision) => decision.id).sort(),
    );
    expect(app.notifications()).toHaveLength(4);
  }, 120_000);

  it('leaves a message at the host maxDequeueCount to the host instead of taking it into a batch', async () => {
    const queueName = 'storm-worn';
    const [worn, ...fresh] = storm.slice(10, 14);
    if (!worn) throw new Error('storm too small');
    await putAll(queueName, [worn]);
    const queue = openQueue(queueName);
    for (let i = 0; i < HOST_MAX_DEQUEUE_COUNT; i++) {
      const [item] = (await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
      if (!item) throw new Error('no message to wear');
      await queue.updateMessage(item.messageId, item.popReceipt, undefined, 0);
    }
    expect((await queue.peekMessages()).peekedMessageItems[0]?.dequeueCount).toBe(HOST_MAX_DEQUEUE_COUNT);
    await putAll(queueName, fresh);
    await app.configure({ now: () => NOW, env: { CROSSWATCH_INBOX_QUEUE: queueName } });
    app.logs.length = 0;

    // The trigger's own message (already taken by the host) plus what the handler takes itself.
    const trigger = storm[14];
    await processInbox({ v: 1, entry: trigger }, app.context('processInbox', { dequeueCount: 1 }));
    expect(logged('inbox batch processed')).toEqual([
      expect.objectContaining({ records: 1 + fresh.length, removed: fresh.length }),
    ]);
    const left = (await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    expect(left).toHaveLength(1);
    expect(left[0]?.dequeueCount).toBe(HOST_MAX_DEQUEUE_COUNT + 1);
    const text = Buffer.from(left[0]?.messageText ?? '', 'base64').toString('utf8');
    expect((await decodeInboxMessage(text)).id).toBe(worn.id);
  }, 60_000);

  it('keeps an unreadable extra message as evidence and deletes it', async () => {
    const queueName = 'storm-unreadable';
    const queue = openQueue(queueName);
    await queue.createIfNotExists();
    await queue.sendMessage(Buffer.from('not an inbox message', 'utf8').toString('base64'));
    await app.configure({ now: () => NOW, env: { CROSSWATCH_INBOX_QUEUE: queueName } });
    app.logs.length = 0;
    await processInbox({ v: 1, entry: storm[15] }, app.context('processInbox'));
    expect(logged('inbox message unreadable')).toEqual([
      expect.objectContaining({ level: 'error', evidence: expect.stringMatching(/^sha256:/) }),
    ]);
    expect(logged('inbox batch processed')).toEqual([
      expect.objectContaining({ records: 2, unreadable: 1, removed: 1 }),
    ]);
    expect(await countMessages(queueName)).toBe(0);
  }, 60_000);
});
