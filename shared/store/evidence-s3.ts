/**
 * The evidence archive in Amazon S3 (`@aws-sdk/client-s3`, imported on first use).
 *
 * Object `<prefix>sha256/<2 hex>/<hex>` in one bucket; the EvidenceRecord lives in the object's user
 * metadata (`kind` and `content-type` URI-encoded, `received-at` ISO). A put first looks the object
 * up (an existing one is the answer), then writes it with `If-None-Match: *` — S3's conditional
 * write — so of two racing puts only the first creates it and the other returns its record.
 * `purgeBefore` lists the objects and reads each one's metadata; for large archives an S3 lifecycle
 * rule (expire objects N days after creation) does the same without listing.
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

export function createS3EvidenceArchive(options: S3EvidenceArchiveOptions): EvidenceArchive {
  const { bucket } = options;
  const prefix = options.prefix ?? '';
  const now = options.now ?? (() => new Date());
  let connection: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  const connect = () => {
    connection ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client(options.client ?? {}),
    }));
    return connection;
  };
  const fail = (action: string, error: unknown): Error => {
    if (error instanceof StoreUsageError || error instanceof StoreUnavailableError) return error;
    const status = statusOf(error);
    return new StoreUnavailableError(
      `S3 ${action} in bucket ${bucket} failed: ${errorName(error)}${status ? ` (HTTP ${status})` : ''}`,
      { cause: error },
    );
  };
  const isMissing = (error: unknown) =>
    statusOf(error) === 404 || errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey';

  const head = async (sdk: Sdk, client: S3Client, contentHash: string, key: string) => {
    try {
      const found = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
      return toRecord(contentHash, found.ContentLength, found.Metadata);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  };

  return {
    kind: 's3',

    async put(bytes, meta) {
      assertEvidenceMeta(meta);
      const contentHash = computeContentHash(bytes);
      const key = prefix + toEvidencePath(parseContentHash(contentHash));
      const { sdk, client } = await connect();
      try {
        const existing = await head(sdk, client, contentHash, key);
        if (existing) return existing;
        const record: EvidenceRecord = {
          contentHash,
          bytes: bytes.byteLength,
          contentType: meta.contentType,
          receivedAt: now().toISOString(),
          kind: meta.kind,
        };
        try {
          await client.send(
            new sdk.PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: bytes,
              ContentLength: bytes.byteLength,
              ContentType: meta.contentType,
              Metadata: {
                kind: encodeURIComponent(meta.kind),
                'content-type': encodeURIComponent(meta.contentType),
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
          const first = await head(sdk, client, contentHash, key);
          if (first) return first;
          throw error;
        }
      } catch (error) {
        throw fail('put', error);
      }
    },

    async get(contentHash) {
      const key = prefix + toEvidencePath(parseContentHash(contentHash));
      const { sdk, client } = await connect();
      try {
        let response: GetObjectCommandOutput;
        try {
          response = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        } catch (error) {
          if (isMissing(error)) return undefined;
          throw error;
        }
        const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
        if (computeContentHash(bytes) !== contentHash) {
          throw new StoreUnavailableError(`evidence ${contentHash} is corrupted in S3`);
        }
        return { record: toRecord(contentHash, bytes.byteLength, response.Metadata), bytes };
      } catch (error) {
        throw fail('get', error);
      }
    },

    async purgeBefore(cutoff) {
      const limit = cutoff.getTime();
      const { sdk, client } = await connect();
      let purged = 0;
      try {
        let token: string | undefined;
        do {
          const page = await client.send(
            new sdk.ListObjectsV2Command({
              Bucket: bucket,
              Prefix: `${prefix}sha256/`,
              ...(token ? { ContinuationToken: token } : {}),
            }),
          );
          for (const object of page.Contents ?? []) {
            if (!object.Key) continue;
            let receivedAt: number;
            try {
              const found = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: object.Key }));
              receivedAt = Date.parse(found.Metadata?.['received-at'] ?? '');
            } catch (error) {
              if (isMissing(error)) continue;
              throw error;
            }
            if (!(receivedAt < limit)) continue;
            await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
            purged++;
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return purged;
      } catch (error) {
        throw fail('purge', error);
      }
    },
  };
}
