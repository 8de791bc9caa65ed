/**
 * The contract every EvidenceArchive passes (directory, SQLite, Azure Blob, S3): content addressing,
 * the first record wins (also within and across `putMany` batches), records in the order given, bytes
 * come back exactly, and retention by first-stored time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvidenceArchive, StoreUsageError } from '../../../shared/store/ports.ts';

export interface EvidenceArchiveFixture {
  /** An archive whose clock is `clock.now`. */
  readonly archive: EvidenceArchive;
  cleanup(): Promise<void>;
}

export interface TestClock {
  now: Date;
}

const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const text = (value: string) => new TextEncoder().encode(value);

export function describeEvidenceArchiveContract(
  name: string,
  setup: (clock: TestClock) => Promise<EvidenceArchiveFixture>,
): void {
  describe(`EvidenceArchive contract: ${name}`, () => {
    const clock: TestClock = { now: new Date('2026-02-06T12:00:00.000Z') };
    let fixture: EvidenceArchiveFixture;
    let archive: EvidenceArchive;
    beforeAll(async () => {
      fixture = await setup(clock);
      archive = fixture.archive;
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('stores bytes under their hash and returns them with the record', async () => {
      clock.now = new Date('2026-02-06T12:00:00.000Z');
      const bytes = text('{"schemaId":"azureMonitorCommonAlertSchema"}');
      const record = await archive.put(bytes, {
        contentType: 'application/json',
        kind: 'input:azure-monitor-common',
      });
      expect(record).toEqual({
        contentHash: sha(bytes),
        bytes: bytes.byteLength,
        contentType: 'application/json',
        receivedAt: '2026-02-06T12:00:00.000Z',
        kind: 'input:azure-monitor-common',
      });
      const found = await archive.get(record.contentHash);
      expect(found?.record).toEqual(record);
      expect(Buffer.from(found?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    });

    it('storing the same bytes again is a no-op that returns the first record', async () => {
      clock.now = new Date('2026-02-06T13:00:00.000Z');
      const bytes = text(`same bytes ${name}`);
      const first = await archive.put(bytes, { contentType: 'text/plain', kind: 'probe:dns' });
      clock.now = new Date('2026-02-07T13:00:00.000Z');
      const second = await archive.put(bytes, { contentType: 'application/octet-stream', kind: 'other' });
      expect(second).toEqual(first);
      expect((await archive.get(first.contentHash))?.record).toEqual(first);
    });

    it('concurrent puts of the same bytes all return one record', async () => {
      clock.now = new Date('2026-02-06T14:00:00.000Z');
      const bytes = randomBytes(4096);
      const records = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          archive.put(bytes, { contentType: 'application/octet-stream', kind: `delivery:sink-${i}` }),
        ),
      );
      const stored = (await archive.get(sha(bytes)))?.record;
      expect(stored?.contentHash).toBe(sha(bytes));
      expect(records.map((r) => r.contentHash)).toEqual(Array(6).fill(sha(bytes)));
      expect(records.map((r) => r.receivedAt)).toEqual(Array(6).fill('2026-02-06T14:00:00.000Z'));
    });

    it('keeps binary, empty and large content and non-ASCII kinds exactly', async () => {
      clock.now = new Date('2026-02-06T15:00:00.000Z');
      const cases = [new Uint8Array(0), randomBytes(1024 * 1024 + 17), Uint8Array.from([0, 255, 10, 13, 0])];
      for (const bytes of cases) {
        const record = await archive.put(bytes, {
          contentType: 'application/octet-stream',
          kind: 'probe:zürich|東京 #1/a?b',
        });
        expect(record.bytes).toBe(bytes.byteLength);
        const found = await archive.get(record.contentHash);
        expect(found?.record.kind).toBe('probe:zürich|東京 #1/a?b');
        expect(Buffer.from(found?.bytes ?? [1]).equals(Buffer.from(bytes))).toBe(true);
      }
    });

    it('get: unknown hash is undefined, a malformed one is StoreUsageError', async () => {
      expect(await archive.get(sha(text(`never stored ${Math.random()}`)))).toBeUndefined();
      for (const bad of [
        '',
        'sha256:xyz',
        `md5:${'0'.repeat(32)}`,
        `sha256:${'A'.repeat(64)}`,
        '../../etc/passwd',
      ]) {
        await expect(archive.get(bad)).rejects.toBeInstanceOf(StoreUsageError);
      }
      await expect(archive.put(text('x'), { contentType: '', kind: 'k' })).rejects.toBeInstanceOf(
        StoreUsageError,
      );
    });

    it('putMany stores 200 items and returns their records in the order given', async () => {
      clock.now = new Date('2026-02-06T16:00:00.000Z');
      const existing = await archive.put(text(`putMany existing ${name}`), {
        contentType: 'text/plain',
        kind: 'first',
      });
      clock.now = new Date('2026-02-06T17:00:00.000Z');
      const items = Array.from({ length: 200 }, (_, i) => ({
        bytes:
          i === 100 ? text(`putMany existing ${name}`) : text(`putMany ${name} #${i} ${'x'.repeat(i * 7)}`),
        contentType: i % 2 === 0 ? 'application/json' : 'text/plain',
        kind: `input:batch-${i}`,
      }));
      const records = await archive.putMany(items);
      expect(records).toHaveLength(200);
      for (const [i, item] of items.entries()) {
        const record = records[i];
        if (i === 100) {
          // Stored before: its first record, not this batch's.
          expect(record).toEqual(existing);
          continue;
        }
        expect(record).toEqual({
          contentHash: sha(item.bytes),
          bytes: item.bytes.byteLength,
          contentType: item.contentType,
          receivedAt: '2026-02-06T17:00:00.000Z',
          kind: item.kind,
        });
      }
      for (const i of [0, 1, 99, 100, 199]) {
        const found = await archive.get(sha(items[i]?.bytes ?? new Uint8Array()));
        expect(found?.record).toEqual(records[i]);
        expect(Buffer.from(found?.bytes ?? []).equals(Buffer.from(items[i]?.bytes ?? [1]))).toBe(true);
      }
      expect(await archive.putMany([])).toEqual([]);
    });

    it('putMany: bytes given twice in one batch are stored once and get identical records', async () => {
      // Older than anything else in this file, so a purge up to 2023-06-01 counts only this batch.
      clock.now = new Date('2023-01-01T00:00:00.000Z');
      const bytes = text(`putMany duplicate ${name}`);
      const other = text(`putMany single ${name}`);
      const records = await archive.putMany([
        { bytes, contentType: 'text/plain', kind: 'dup:first' },
        { bytes: other, contentType: 'text/plain', kind: 'single' },
        { bytes, contentType: 'application/octet-stream', kind: 'dup:second' },
        { bytes, contentType: 'text/plain', kind: 'dup:third' },
      ]);
      expect(records.map((r) => r.contentHash)).toEqual([sha(bytes), sha(other), sha(bytes), sha(bytes)]);
      expect(records[2]).toEqual(records[0]);
      expect(records[3]).toEqual(records[0]);
      expect(records[0]).toMatchObject({ kind: 'dup:first', contentType: 'text/plain' });
      expect((await archive.get(sha(bytes)))?.record).toEqual(records[0]);
      expect(await archive.purgeBefore(new Date('2023-06-01T00:00:00.000Z'))).toBe(2);
      expect(await archive.get(sha(bytes))).toBeUndefined();
    });

    it('putMany with an invalid item stores nothing of the batch', async () => {
      clock.now = new Date('2026-02-06T18:00:00.000Z');
      const valid = text(`putMany valid ${name} ${Math.random()}`);
      await expect(
        archive.putMany([
          { bytes: valid, contentType: 'text/plain', kind: 'ok' },
          { bytes: text('bad'), contentType: '', kind: 'ok' },
        ]),
      ).rejects.toBeInstanceOf(StoreUsageError);
      expect(await archive.get(sha(valid))).toBeUndefined();
    });

    it('purgeBefore deletes evidence first stored before the cutoff', async () => {
      const stamp = (iso: string, body: string) => {
        clock.now = new Date(iso);
        return archive.put(text(body), { contentType: 'text/plain', kind: 'retention' });
      };
      // Everything above was stored on 2026-02-06/07; these are older and newer.
      const old = await stamp('2025-01-01T00:00:00.000Z', `old ${name}`);
      const older = await stamp('2024-06-01T00:00:00.000Z', `older ${name}`);
      const recent = await stamp('2027-01-01T00:00:00.000Z', `recent ${name}`);
      const purged = await archive.purgeBefore(new Date('2026-01-01T00:00:00.000Z'));
      expect(purged).toBe(2);
      expect(await archive.get(old.contentHash)).toBeUndefined();
      expect(await archive.get(older.contentHash)).toBeUndefined();
      expect((await archive.get(recent.contentHash))?.record).toEqual(recent);
      expect(await archive.purgeBefore(new Date('2026-01-01T00:00:00.000Z'))).toBe(0);

      // Purged bytes stored again get a new record.
      const again = await stamp('2027-02-01T00:00:00.000Z', `old ${name}`);
      expect(again.receivedAt).toBe('2027-02-01T00:00:00.000Z');
      expect((await archive.get(old.contentHash))?.record).toEqual(again);

      // A cutoff after everything empties the archive of all of this file's evidence.
      expect(await archive.purgeBefore(new Date('2030-01-01T00:00:00.000Z'))).toBeGreaterThanOrEqual(5);
      expect(await archive.get(recent.contentHash)).toBeUndefined();
    });
  });
}
