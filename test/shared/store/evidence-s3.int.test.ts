/** The S3 evidence archive against s3rver (see test/helpers/s3-server.ts for why s3rver). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3EvidenceArchive } from '../../../shared/store/evidence-s3.ts';
import { StoreUnavailableError } from '../../../shared/store/ports.ts';
import { type S3Server, startS3Server } from '../../helpers/s3-server.ts';
import { describeEvidenceArchiveContract } from './evidence-archive-contract.ts';

let server: S3Server;
let prefixes = 0;
beforeAll(async () => {
  server = await startS3Server(['evidence']);
});
afterAll(async () => {
  await server?.stop();
});

describeEvidenceArchiveContract('s3 (s3rver)', async (clock) => ({
  archive: createS3EvidenceArchive({
    bucket: 'evidence',
    prefix: `contract-${++prefixes}/`,
    client: server.clientConfig,
    now: () => clock.now,
  }),
  cleanup: async () => {},
}));

describe('S3 evidence archive', () => {
  it('keeps prefixes apart and reports a missing bucket as StoreUnavailableError', async () => {
    const a = createS3EvidenceArchive({ bucket: 'evidence', prefix: 'a/', client: server.clientConfig });
    const b = createS3EvidenceArchive({ bucket: 'evidence', prefix: 'b/', client: server.clientConfig });
    const record = await a.put(new TextEncoder().encode('only in a'), {
      contentType: 'text/plain',
      kind: 'k',
    });
    expect(await b.get(record.contentHash)).toBeUndefined();
    expect(await b.purgeBefore(new Date('2100-01-01T00:00:00Z'))).toBe(0);
    expect((await a.get(record.contentHash))?.record).toEqual(record);

    const missing = createS3EvidenceArchive({ bucket: 'no-such-bucket', client: server.clientConfig });
    const error = await missing
      .put(new TextEncoder().encode('x'), { contentType: 'text/plain', kind: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).not.toContain('S3RVER');
  });
});
