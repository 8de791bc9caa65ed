/**
 * The evidence archive in Azure Blob Storage (`@azure/storage-blob`, imported on first use).
 *
 * Blob `sha256/<2 hex>/<hex>` in one container; the EvidenceRecord lives in the blob's metadata
 * (`kind` and `contenttype` URI-encoded, `receivedat` ISO). A put uploads with `If-None-Match: *`,
 * so of two puts of the same bytes only the first creates the blob and the other returns its record.
 * `purgeBefore` lists the blobs with their metadata and deletes (If-Match the listed ETag) those first
 * stored before the cutoff. For large archives a storage lifecycle rule (delete blobs N days after
 * creation) does the same without listing; `purgeBefore` is for installs without one and for tests.
 * `putMany` runs its puts 16 at a time (put-evidence-in-parallel.ts).
 */
import type { ContainerClient } from '@azure/storage-blob';
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

export interface AzureBlobEvidenceArchiveOptions {
  /** A storage account connection string. Never logged. */
  readonly connectionString: string;
  /** 3–63 lower-case letters, digits and dashes. */
  readonly containerName: string;
  /** Create the container on first use when missing. Default true. */
  readonly createContainer?: boolean;
  readonly now?: () => Date;
}

const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function toRecord(
  contentHash: string,
  bytes: number | undefined,
  metadata: Record<string, string> | undefined,
): EvidenceRecord {
  const receivedAt = metadata?.receivedat;
  const kind = metadata?.kind;
  const contentType = metadata?.contenttype;
  if (bytes === undefined || !receivedAt || kind === undefined || contentType === undefined) {
    throw new StoreUnavailableError(`evidence blob for ${contentHash} lacks its record metadata`);
  }
  return {
    contentHash,
    bytes,
    contentType: decodeURIComponent(contentType),
    receivedAt,
    kind: decodeURIComponent(kind),
  };
}

function toStoreError(containerName: string, action: string, error: unknown): Error {
  if (error instanceof StoreUsageError || error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown })?.code;
  const status = statusOf(error);
  const detail = [typeof code === 'string' ? code : undefined, status ? `HTTP ${status}` : undefined]
    .filter(Boolean)
    .join(', ');
  return new StoreUnavailableError(
    `Azure Blob ${action} in container ${containerName} failed${detail ? `: ${detail}` : ''}`,
    { cause: error },
  );
}

/** Loads the SDK, opens the container and (unless told not to) creates it when missing. */
async function openContainer(options: AzureBlobEvidenceArchiveOptions): Promise<ContainerClient> {
  const { containerName } = options;
  const sdk = await import('@azure/storage-blob');
  let container: ContainerClient;
  try {
    container = sdk.BlobServiceClient.fromConnectionString(options.connectionString).getContainerClient(
      containerName,
    );
  } catch {
    // The SDK's message may quote the connection string.
    throw new StoreUsageError('invalid Azure Storage connection string');
  }
  if (options.createContainer ?? true) {
    try {
      await container.createIfNotExists();
    } catch (error) {
      throw toStoreError(containerName, 'create container', error);
    }
  }
  return container;
}

/** The record of a stored blob (from its metadata), or undefined when there is none. */
async function readRecord(
  container: ContainerClient,
  contentHash: string,
  path: string,
): Promise<EvidenceRecord | undefined> {
  try {
    const properties = await container.getBlockBlobClient(path).getProperties();
    return toRecord(contentHash, properties.contentLength, properties.metadata);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** An existing blob is the answer; otherwise a create-only upload (a lost race returns the winner's record). */
async function uploadOnce(
  container: ContainerClient,
  path: string,
  bytes: Uint8Array,
  contentHash: string,
  describe: () => EvidenceRecord,
): Promise<EvidenceRecord> {
  const existing = await readRecord(container, contentHash, path);
  if (existing) return existing;
  const record = describe();
  try {
    await container.getBlockBlobClient(path).upload(bytes, bytes.byteLength, {
      blobHTTPHeaders: { blobContentType: record.contentType },
      metadata: {
        kind: encodeURIComponent(record.kind),
        contenttype: encodeURIComponent(record.contentType),
        receivedat: record.receivedAt,
      },
      conditions: { ifNoneMatch: '*' },
    });
    return record;
  } catch (error) {
    const status = statusOf(error);
    if (status !== 409 && status !== 412) throw error;
    const first = await readRecord(container, contentHash, path);
    if (first) return first;
    throw error;
  }
}

/** The blob's bytes, checked against their hash, and its record; undefined when it is missing. */
async function downloadBlob(container: ContainerClient, path: string, contentHash: string) {
  const blob = container.getBlockBlobClient(path);
  let response: Awaited<ReturnType<typeof blob.download>>;
  try {
    response = await blob.download();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of response.readableStreamBody ?? []) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  }
  const bytes = Buffer.concat(chunks);
  if (computeContentHash(bytes) !== contentHash) {
    throw new StoreUnavailableError(`evidence ${contentHash} is corrupted in blob storage`);
  }
  return {
    record: toRecord(contentHash, bytes.byteLength, response.metadata),
    bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  };
}

/** Deletes the blobs first stored before `limit` (epoch ms), each only at the ETag it was listed with. */
async function purgeBlobsBefore(container: ContainerClient, limit: number): Promise<number> {
  let purged = 0;
  for await (const blob of container.listBlobsFlat({ prefix: 'sha256/', includeMetadata: true })) {
    const receivedAt = Date.parse(blob.metadata?.receivedat ?? '');
    if (!(receivedAt < limit)) continue;
    try {
      await container.deleteBlob(blob.name, { conditions: { ifMatch: blob.properties.etag ?? '*' } });
      purged++;
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw error;
    }
  }
  return purged;
}

export function createAzureBlobEvidenceArchive(options: AzureBlobEvidenceArchiveOptions): EvidenceArchive {
  const { containerName } = options;
  if (!CONTAINER_NAME.test(containerName)) {
    throw new StoreUsageError(`invalid blob container name "${containerName}"`);
  }
  const now = options.now ?? (() => new Date());
  let connection: Promise<ContainerClient> | undefined;
  const connect = () => {
    connection ??= openContainer(options);
    connection.catch(() => {
      connection = undefined;
    });
    return connection;
  };

  const archive: EvidenceArchive = {
    kind: 'azure-blob',

    async put(bytes, meta) {
      assertEvidenceMeta(meta);
      const contentHash = computeContentHash(bytes);
      const path = toEvidencePath(parseContentHash(contentHash));
      const container = await connect();
      try {
        return await uploadOnce(container, path, bytes, contentHash, () => ({
          contentHash,
          bytes: bytes.byteLength,
          contentType: meta.contentType,
          receivedAt: now().toISOString(),
          kind: meta.kind,
        }));
      } catch (error) {
        throw toStoreError(containerName, 'put', error);
      }
    },

    putMany(items) {
      return putEvidenceInParallel(archive.put, items);
    },

    async get(contentHash) {
      const path = toEvidencePath(parseContentHash(contentHash));
      const container = await connect();
      try {
        return await downloadBlob(container, path, contentHash);
      } catch (error) {
        throw toStoreError(containerName, 'get', error);
      }
    },

    async purgeBefore(cutoff) {
      const limit = cutoff.getTime();
      const container = await connect();
      try {
        return await purgeBlobsBefore(container, limit);
      } catch (error) {
        throw toStoreError(containerName, 'purge', error);
      }
    },
  };
  return archive;
}
