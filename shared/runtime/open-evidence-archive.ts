/**
 * Opens the configured evidence archive; only the chosen backend's SDK is loaded.
 */
import type { EvidenceConfig } from '../config/crosswatch-config.ts';
import type { EvidenceArchive } from '../store/ports.ts';

export async function openEvidenceArchive(
  config: EvidenceConfig,
  options: { readonly now?: () => Date } = {},
): Promise<EvidenceArchive | null> {
  const now = options.now ? { now: options.now } : {};
  switch (config.kind) {
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
