/**
 * The queue-backed inboxes against real emulators: the Azure Storage Queue inbox on Azurite's queue
 * service and the SQS inbox on moto's server mode (both on loopback), with the real SDK clients for
 * sending and receiving. Bodies over a queue's message limit park in a directory evidence archive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureQueueInbox } from '../../../shared/inbox/azure-queue-inbox.ts';
import {
  computeInboxId,
  createInboxEntry,
  type InboxEntry,
  InboxUnavailableError,
  readInboxEntryBytes,
} from '../../../shared/inbox/inbox.ts';
import { decodeInboxMessage, InvalidQueueMessageError } from '../../../shared/inbox/queue-inbox-message.ts';
import { createSqsInbox } from '../../../shared/inbox/sqs-inbox.ts';
import { createDirectoryEvidenceArchive } from '../../../shared/store/evidence-directory.ts';
import { type AzuriteServer, startAzurite } from '../../helpers/azurite.ts';
import { type MotoServer, startMoto } from '../../helpers/moto-server.ts';

const small = createInboxEntry(Buffer.from('{"schemaId":"azureMonitorCommonAlertSchema","data":{}}'), {
  source: 'service-health',
  contentType: 'application/json',
  receivedAt: new Date('2026-11-29T12:00:00Z'),
});
const large = createInboxEntry(Buffer.from(JSON.stringify({ pad: 'x'.repeat(300 * 1024) })), {
  source: 'webhook',
  contentType: 'application/json',
  receivedAt: new Date('2026-11-29T12:00:01Z'),
});

// Not valid UTF-8: a Latin-1 "é" (0xE9) inside a JSON string; the large one overflows to the archive.
const latin1Bytes = Buffer.from('{"title":"Service Health: Café, Montréal"}', 'latin1');
const latin1LargeBytes = Buffer.from(JSON.stringify({ title: 'é'.repeat(300 * 1024) }), 'latin1');
const latin1 = createInboxEntry(latin1Bytes, {
  source: 'webhook',
  contentType: 'application/json',
  receivedAt: new Date('2026-11-29T12:00:02Z'),
});
const latin1Large = createInboxEntry(latin1LargeBytes, {
  source: 'webhook',
  contentType: 'application/json',
  receivedAt: new Date('2026-11-29T12:00:03Z'),
});

/** Each decoded entry's bytes are exactly the bytes received, and hash to its id. */
function expectLatin1Bytes(decoded: readonly InboxEntry[]): void {
  const byId = new Map(decoded.map((entry) => [entry.id, readInboxEntryBytes(entry)]));
  expect(byId.get(latin1.id)?.equals(latin1Bytes)).toBe(true);
  expect(byId.get(latin1Large.id)?.equals(latin1LargeBytes)).toBe(true);
  for (const [id, bytes] of byId) expect(computeInboxId(bytes)).toBe(id);
}

let azurite: AzuriteServer;
let moto: MotoServer;
let archiveRoot: string;

beforeAll(async () => {
  [azurite, moto] = await Promise.all([startAzurite(), startMoto()]);
  archiveRoot = mkdtempSync(join(tmpdir(), 'crosswatch-queue-overflow-'));
}, 90_000);
afterAll(async () => {
  await Promise.all([azurite?.stop(), moto?.stop()]);
  rmSync(archiveRoot, { recursive: true, force: true });
});

describe('Azure Storage Queue inbox (Azurite)', () => {
  it('enqueues base64 JSON that decodes back to the same entry, large bodies via the archive', async () => {
    const overflow = createDirectoryEvidenceArchive({ root: join(archiveRoot, 'azure') });
    const inbox = createAzureQueueInbox({
      connectionString: azurite.connectionString,
      queueName: 'crosswatch-inbox',
      overflow,
    });
    await inbox.put(small);
    await inbox.put(large);
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      'crosswatch-inbox',
    );
    const received = await queue.receiveMessages({ numberOfMessages: 10 });
    expect(received.receivedMessageItems).toHaveLength(2);
    const decoded = await Promise.all(
      received.receivedMessageItems.map((item) => {
        expect(item.messageText.length).toBeLessThanOrEqual(64 * 1024);
        return decodeInboxMessage(item.messageText, { overflow });
      }),
    );
    expect(decoded.map((entry) => entry.id).sort()).toEqual([small.id, large.id].sort());
    expect(decoded.find((entry) => entry.id === large.id)?.body).toBe(large.body);
    // What the Functions trigger hands over after its own base64 decode: the parsed object.
    const text = Buffer.from(received.receivedMessageItems[0]?.messageText ?? '', 'base64').toString('utf8');
    expect((await decodeInboxMessage(JSON.parse(text), { overflow })).source).toEqual(expect.any(String));
  });

  it('keeps a body that is not valid UTF-8 byte for byte, in the message and through the archive', async () => {
    const overflow = createDirectoryEvidenceArchive({ root: join(archiveRoot, 'azure-latin1') });
    const inbox = createAzureQueueInbox({
      connectionString: azurite.connectionString,
      queueName: 'crosswatch-latin1',
      overflow,
    });
    await inbox.put(latin1);
    await inbox.put(latin1Large);
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      'crosswatch-latin1',
    );
    const received = await queue.receiveMessages({ numberOfMessages: 10 });
    expect(received.receivedMessageItems).toHaveLength(2);
    expectLatin1Bytes(
      await Promise.all(
        received.receivedMessageItems.map((item) => decodeInboxMessage(item.messageText, { overflow })),
      ),
    );
    // The archived (claim-checked) body is the received bytes too.
    const archived = await overflow.get(latin1Large.id);
    expect(Buffer.from(archived?.bytes ?? []).equals(latin1LargeBytes)).toBe(true);
  });

  it('refuses an oversized entry without an archive, and rejects with InboxUnavailableError when storage is down', async () => {
    const inbox = createAzureQueueInbox({
      connectionString: azurite.connectionString,
      queueName: 'no-overflow',
    });
    await expect(inbox.put(large)).rejects.toBeInstanceOf(InboxUnavailableError);
    const down = createAzureQueueInbox({
      connectionString: azurite.connectionString.replace(
        /QueueEndpoint=http:\/\/127\.0\.0\.1:\d+/,
        'QueueEndpoint=http://127.0.0.1:1',
      ),
      queueName: 'crosswatch-inbox',
    });
    await expect(down.put(small)).rejects.toBeInstanceOf(InboxUnavailableError);
  });
});

describe('SQS inbox (moto server)', () => {
  const client = () =>
    new SQSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });

  it('sends JSON messages that decode back; a FIFO queue deduplicates the same body', async () => {
    const sqs = client();
    const { QueueUrl: standardUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'crosswatch-inbox' }),
    );
    const { QueueUrl: fifoUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'crosswatch-inbox.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    if (!standardUrl || !fifoUrl) throw new Error('no queue url');
    const overflow = createDirectoryEvidenceArchive({ root: join(archiveRoot, 'sqs') });
    const config = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    const standard = createSqsInbox({ queueUrl: standardUrl, client: config, overflow });
    await standard.put(small);
    await standard.put(large);
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: standardUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    const decoded = await Promise.all(
      (received.Messages ?? []).map((m) => decodeInboxMessage(m.Body, { overflow })),
    );
    expect(decoded.map((entry) => entry.id).sort()).toEqual([small.id, large.id].sort());
    expect(received.Messages?.[0]?.MessageAttributes?.source?.StringValue).toMatch(/service-health|webhook/);

    const fifo = createSqsInbox({ queueUrl: fifoUrl, client: config });
    await fifo.put(small);
    await fifo.put(small);
    const fifoReceived = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: fifoUrl, MaxNumberOfMessages: 10 }),
    );
    expect(fifoReceived.Messages).toHaveLength(1);
  });

  it('keeps a body that is not valid UTF-8 byte for byte, in the message and through the archive', async () => {
    const sqs = client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'crosswatch-latin1' }));
    if (!QueueUrl) throw new Error('no queue url');
    const overflow = createDirectoryEvidenceArchive({ root: join(archiveRoot, 'sqs-latin1') });
    const config = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    const inbox = createSqsInbox({ queueUrl: QueueUrl, client: config, overflow });
    await inbox.put(latin1);
    await inbox.put(latin1Large);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages).toHaveLength(2);
    expectLatin1Bytes(
      await Promise.all((received.Messages ?? []).map((m) => decodeInboxMessage(m.Body, { overflow }))),
    );
  });

  it('rejects with InboxUnavailableError when the queue does not exist', async () => {
    const inbox = createSqsInbox({
      queueUrl: `${moto.endpoint}/123456789012/missing-queue`,
      client: { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials },
    });
    await expect(inbox.put(small)).rejects.toBeInstanceOf(InboxUnavailableError);
  });
});

describe('decodeInboxMessage', () => {
  it('treats foreign, tampered and incomplete messages as poison', async () => {
    await expect(decodeInboxMessage('not json at all')).rejects.toBeInstanceOf(InvalidQueueMessageError);
    await expect(decodeInboxMessage({ v: 2, entry: small })).rejects.toBeInstanceOf(InvalidQueueMessageError);
    await expect(decodeInboxMessage({ v: 1, entry: { ...small, body: '{"x":1}' } })).rejects.toThrow(
      'does not hash',
    );
    await expect(decodeInboxMessage({ v: 1, entry: small, body: 'evidence' })).rejects.toThrow('no archive');
    // A base64 body is checked against the id like a text one, and the encoding must be known.
    await expect(
      decodeInboxMessage({ v: 1, entry: { ...latin1, body: Buffer.from('{"x":1}').toString('base64') } }),
    ).rejects.toThrow('does not hash');
    await expect(decodeInboxMessage({ v: 1, entry: { ...latin1, bodyEncoding: 'hex' } })).rejects.toThrow(
      'bodyEncoding',
    );
    expect(readInboxEntryBytes(await decodeInboxMessage({ v: 1, entry: latin1 })).equals(latin1Bytes)).toBe(
      true,
    );
  });
});
