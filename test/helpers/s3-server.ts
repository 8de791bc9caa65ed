/**
 * A local S3-compatible server for the S3 evidence archive's tests: s3rver (npm), in-process on a
 * free loopback port, storing objects in a temp directory. Chosen because it is plain JavaScript
 * from the npm registry (no JVM, Docker or downloaded binary) and runs on Node 20. Its limits, which
 * the tests respect: it ignores `If-None-Match` on PUT (AWS S3 honours it since 2024), so the S3
 * adapter's race for the first record is not exercised here — sequential puts are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface S3Server {
  readonly endpoint: string;
  /** S3Client settings for this server: endpoint, path-style, its fixed credentials. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly forcePathStyle: true;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly requestChecksumCalculation: 'WHEN_REQUIRED';
    readonly responseChecksumValidation: 'WHEN_REQUIRED';
  };
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

export async function startS3Server(buckets: readonly string[]): Promise<S3Server> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const directory = mkdtempSync(join(tmpdir(), 'crosswatch-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      // s3rver's built-in credentials (documented, not a secret).
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
