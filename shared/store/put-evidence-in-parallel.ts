/**
 * `putMany` for archives without a batch write (directory, Azure Blob, S3): the batch's puts run with
 * bounded parallelism (16 in flight by default), each through the archive's own `put`, so its
 * atomicity and first-record-wins rules hold unchanged. Every item's metadata is checked before any
 * put starts (a bad item stores nothing); bytes given twice in a batch are put once and both get the
 * first occurrence's record. On a failure no further put starts, those in flight finish, and the
 * first error is thrown: the puts that completed stay stored (a retry finds them and keeps their
 * records). Records come back in the order given.
 */
import { assertEvidenceMeta, computeContentHash } from './evidence-address.ts';
import type { EvidenceArchive, EvidenceRecord } from './ports.ts';

export type EvidencePut = Parameters<EvidenceArchive['putMany']>[0][number];

export const PUT_MANY_CONCURRENCY = 16;

export async function putEvidenceInParallel(
  put: EvidenceArchive['put'],
  items: readonly EvidencePut[],
  concurrency: number = PUT_MANY_CONCURRENCY,
): Promise<EvidenceRecord[]> {
  for (const item of items) assertEvidenceMeta(item);
  // The first occurrence of each content hash, and for every item the index of that occurrence.
  const firstIndex = new Map<string, number>();
  const sourceOf = items.map((item, index) => {
    const hash = computeContentHash(item.bytes);
    const first = firstIndex.get(hash);
    if (first !== undefined) return first;
    firstIndex.set(hash, index);
    return index;
  });
  const distinct = [...firstIndex.values()];
  const records = new Map<number, EvidenceRecord>();
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const work = async () => {
    while (failure === undefined && next < distinct.length) {
      const index = distinct[next++] as number;
      const item = items[index] as EvidencePut;
      try {
        records.set(index, await put(item.bytes, { contentType: item.contentType, kind: item.kind }));
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency), distinct.length));
  await Promise.all(Array.from({ length: workers }, work));
  if (failure) throw failure.error;
  return sourceOf.map((index) => records.get(index) as EvidenceRecord);
}
