/** The Azure Blob evidence archive against Azurite's blob service, started once for this file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBlobEvidenceArchive } from '../../../shared/store/evidence-azure-blob.ts';
import { StoreUsageError } from '../../../shared/store/ports.ts';
import { type AzuriteServer, startAzurite } from '../../helpers/azurite.ts';
import { describeEvidenceArchiveContract } from './evidence-archive-contract.ts';

let server: AzuriteServer;
let containers = 0;
beforeAll(async () => {
  server = await startAzurite();
});
afterAll(async () => {
  await server?.stop();
});

describeEvidenceArchiveContract('azure-blob (Azurite)', async (clock) => ({
  archive: createAzureBlobEvidenceArchive({
    connectionString: server.connectionString,
    containerName: `evidence-${++containers}`,
    now: () => clock.now,
  }),
  cleanup: async () => {},
}));

describe('Azure Blob evidence archive', () => {
  it('rejects an invalid container name', () => {
    expect(() =>
      createAzureBlobEvidenceArchive({
        connectionString: server.connectionString,
        containerName: 'Bad_Name',
      }),
    ).toThrow(StoreUsageError);
  });
});
