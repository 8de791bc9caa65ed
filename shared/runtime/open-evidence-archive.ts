/**
 * Opens the configured evidence archive; only the chosen backend's SDK (or better-sqlite3) is loaded.
 * The SQLite archive holds an open file and has a `close()`, which the runtime's close calls.
 */
import type { EvidenceConfig } from '../config/crosswatch-config.ts';
import type { EvidenceArchive } from '../store/ports.ts';

export async function openEvidenceArchive(
  config: EvidenceConfig,
  options: { readonly now?: () => Date } = {},
): Promise<EvidenceArchive | null> {
  const now = options.now ? { now: options.now } : {};
  switch (config.kind) {
    case 'sqlite': {
      const { createSqliteEvidenceArchive } = await import('../store/evidence-sqlite.ts');
      return createSqliteEvidenceArchive({ path: config.path, ...now });
    }
    case 'directory': {
      const { createDirectoryEvidenceArchive } = await import('../store/evidence-directory.ts');
      return createDirectoryEvidenceArchive({ root: config.path, ...now });
    }
    case 'azure-blob': {
      const { createAzureBlobEvidenceArchive } = await import('../store/evidence-azure-blob.ts');
      return createAzureBlobEvidenceArchive({
        connectionString: config.connectionString,
        containerName: config.container,
        ...now,
      });
    }
    case 's3': {
      const { createS3EvidenceArchive } = await import('../store/evidence-s3.ts');
      return createS3EvidenceArchive({ bucket: config.bucket, prefix: config.prefix, ...now });
    }
    case 'none':
      return null;
  }
}
