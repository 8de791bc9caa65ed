/**
 * The evidence archive in Amazon S3 (`@aws-sdk/client-s3`, imported on first use).
 *
 * Object `<prefix>sha256/<2 hex>/<hex>` in one bucket; the EvidenceRecord lives in the object's user
 * metadata (`kind` and `content-type` URI-encoded, `received-at` ISO). A put first looks the object
 * up (an existing one is the answer), then writes it with `If-None-Match: *` — S3's conditional
 * write — so of two racing puts only the first creates it and the other returns its record.
 * `purgeBefore` lists the objects and reads each one's metadata; for large archives an S3 lifecycle
 * rule (expire objects N days after creation) does the same without listing. `putMany` runs its
 * puts 16 at a time (put-evidence-in-parallel.ts).
 */
import type { GetObjectCommandOutput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import {
  assertEvidenceMeta,
  computeContentHash,
  parseContentHash,
  toEvidencePath,
} from './evidence-address.ts';
import {
  type EvidenceArchive,
  type EvidenceRecord,
  StoreUnavailableError,
  StoreUsageError,
} from './ports.ts';
import { putEvidenceInParallel } from './put-evidence-in-parallel.ts';

export interface S3EvidenceArchiveOptions {
  readonly bucket: string;
  /** Prepended to every object key, e.g. `evidence/`. Default none. */
  readonly prefix?: string;
  /** S3Client configuration: region, endpoint, forcePathStyle, credentials… */
  readonly client?: S3ClientConfig;
  readonly now?: () => Date;
}

type Sdk = typeof import('@aws-sdk/client-s3');

function errorName(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' ? name : 'Error';
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function toRecord(
  contentHash: string,
  bytes: number | undefined,
  metadata: Record<string, string> | undefined,
): EvidenceRecord {
  const receivedAt = metadata?.['received-at'];
  const kind = metadata?.kind;
  const contentType = metadata?.['content-type'];
  if (bytes === undefined || !receivedAt || kind === undefined || contentType === undefined) {
    throw new StoreUnavailableError(`evidence object for ${contentHash} lacks its record metadata`);
  }
  return {
    contentHash,
    bytes,
    contentType: decodeURIComponent(contentType),
    receivedAt,
    kind: decodeURIComponent(kind),
  };
}

/** The open bucket: the SDK module, a client, the bucket's name and the key prefix. */
interface S3Bucket {
  readonly sdk: Sdk;
  readonly client: S3Client;
  readonly name: string;
  readonly prefix: string;
}

function isMissing(error: unknown): boolean {
  return statusOf(error) === 404 || errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey';
}

function toStoreError(bucketName: string, action: string, error: unknown): Error {
  if (error instanceof StoreUsageError || error instanceof StoreUnavailableError) return error;
  const status = statusOf(error);
  return new StoreUnavailableError(
    `S3 ${action} in bucket ${bucketName} failed: ${errorName(error)}${status ? ` (HTTP ${status})` : ''}`,
    { cause: error },
  );
}

/** The record of a stored object (from its metadata), or undefined when there is none. */
async function headRecord(
  bucket: S3Bucket,
  contentHash: string,
  key: string,
): Promise<EvidenceRecord | undefined> {
  try {
    const found = await bucket.client.send(
      new bucket.sdk.HeadObjectCommand({ Bucket: bucket.name, Key: key }),
    );
    return toRecord(contentHash, found.ContentLength, found.Metadata);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** An existing object is the answer; otherwise a create-only write (a lost race returns the winner's record). */
async function putObjectOnce(
  bucket: S3Bucket,
  key: string,
  bytes: Uint8Array,
  contentHash: string,
  describe: () => EvidenceRecord,
): Promise<EvidenceRecord> {
  const { sdk, client } = bucket;
  const existing = await headRecord(bucket, contentHash, key);
  if (existing) return existing;
  const record = describe();
  try {
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: bucket.name,
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: record.contentType,
        Metadata: {
          kind: encodeURIComponent(record.kind),
          'content-type': encodeURIComponent(record.contentType),
          'received-at': record.receivedAt,
        },
        IfNoneMatch: '*',
      }),
    );
    return record;
  } catch (error) {
    // 412: created first by a concurrent put; 409: a conditional write raced another one.
    const status = statusOf(error);
    if (status !== 412 && status !== 409) throw error;
    const first = await headRecord(bucket, contentHash, key);
    if (first) return first;
    throw error;
  }
}

/** The object's bytes, checked against their hash, and its record; undefined when it is missing. */
async function getObject(bucket: S3Bucket, key: string, contentHash: string) {
  let response: GetObjectCommandOutput;
  try {
    response = await bucket.client.send(new bucket.sdk.GetObjectCommand({ Bucket: bucket.name, Key: key }));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
  if (computeContentHash(bytes) !== contentHash) {
    throw new StoreUnavailableError(`evidence ${contentHash} is corrupted in S3`);
  }
  return { record: toRecord(contentHash, bytes.byteLength, response.Metadata), bytes };
}

/** When the object was first stored (its `received-at` metadata); undefined when it is gone. */
async function readReceivedAt(bucket: S3Bucket, key: string): Promise<number | undefined> {
  try {
    const found = await bucket.client.send(
      new bucket.sdk.HeadObjectCommand({ Bucket: bucket.name, Key: key }),
    );
    return Date.parse(found.Metadata?.['received-at'] ?? '');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Lists every evidence object and deletes those first stored before `limit` (epoch ms). */
async function purgeObjectsBefore(bucket: S3Bucket, limit: number): Promise<number> {
  const { sdk, client } = bucket;
  let purged = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListObjectsV2Command({
        Bucket: bucket.name,
        Prefix: `${bucket.prefix}sha256/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      const receivedAt = await readReceivedAt(bucket, object.Key);
      if (receivedAt === undefined) continue;
      if (!(receivedAt < limit)) continue;
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket.name, Key: object.Key }));
      purged++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return purged;
}

export function createS3EvidenceArchive(options: S3EvidenceArchiveOptions): EvidenceArchive {
  const { bucket: bucketName } = options;
  const prefix = options.prefix ?? '';
  const now = options.now ?? (() => new Date());
  let connection: Promise<S3Bucket> | undefined;
  const connect = () => {
    connection ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client(options.client ?? {}),
      name: bucketName,
      prefix,
    }));
    return connection;
  };

  const archive: EvidenceArchive = {
    kind: 's3',

    async put(bytes, meta) {
      assertEvidenceMeta(meta);
      const contentHash = computeContentHash(bytes);
      const key = prefix + toEvidencePath(parseContentHash(contentHash));
      const bucket = await connect();
      try {
        return await putObjectOnce(bucket, key, bytes, contentHash, () => ({
          contentHash,
          bytes: bytes.byteLength,
          contentType: meta.contentType,
          receivedAt: now().toISOString(),
          kind: meta.kind,
        }));
      } catch (error) {
        throw toStoreError(bucketName, 'put', error);
      }
    },

    putMany(items) {
      return putEvidenceInParallel(archive.put, items);
    },

    async get(contentHash) {
      const key = prefix + toEvidencePath(parseContentHash(contentHash));
      const bucket = await connect();
      try {
        return await getObject(bucket, key, contentHash);
      } catch (error) {
        throw toStoreError(bucketName, 'get', error);
      }
    },

    async purgeBefore(cutoff) {
      const limit = cutoff.getTime();
      const bucket = await connect();
      try {
        return await purgeObjectsBefore(bucket, limit);
      } catch (error) {
        throw toStoreError(bucketName, 'purge', error);
      }
    },
  };
  return archive;
}
