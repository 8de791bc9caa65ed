import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirectoryEvidenceArchive } from '../../../shared/store/evidence-directory.ts';
import { StoreUnavailableError } from '../../../shared/store/ports.ts';
import { describeEvidenceArchiveContract } from './evidence-archive-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'crosswatch-evidence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let roots = 0;

describeEvidenceArchiveContract('directory', async (clock) => ({
  archive: createDirectoryEvidenceArchive({ root: join(dir, `contract-${++roots}`), now: () => clock.now }),
  cleanup: async () => {},
}));

describe('directory evidence archive', () => {
  it('lays files out as sha256/<2 hex>/<hash> with a JSON record beside them', async () => {
    const root = join(dir, 'layout');
    const archive = createDirectoryEvidenceArchive({ root, now: () => new Date('2026-02-06T12:00:00Z') });
    const record = await archive.put(new TextEncoder().encode('hello'), {
      contentType: 'text/plain',
      kind: 'test',
    });
    const hex = record.contentHash.slice('sha256:'.length);
    const data = join(root, 'sha256', hex.slice(0, 2), hex);
    expect(readFileSync(data, 'utf8')).toBe('hello');
    expect(JSON.parse(readFileSync(`${data}.json`, 'utf8'))).toEqual(record);
    expect(readdirSync(join(root, 'sha256', hex.slice(0, 2))).sort()).toEqual([hex, `${hex}.json`]);
  });

  it('detects bytes changed on disk, and treats a record without bytes as absent', async () => {
    const root = join(dir, 'corrupt');
    const archive = createDirectoryEvidenceArchive({ root });
    const record = await archive.put(new TextEncoder().encode('original'), {
      contentType: 'text/plain',
      kind: 'test',
    });
    const hex = record.contentHash.slice('sha256:'.length);
    const data = join(root, 'sha256', hex.slice(0, 2), hex);
    writeFileSync(data, 'tampered');
    await expect(archive.get(record.contentHash)).rejects.toBeInstanceOf(StoreUnavailableError);
    rmSync(data);
    expect(await archive.get(record.contentHash)).toBeUndefined();
  });

  it('purges temp files a crash left behind', async () => {
    const root = join(dir, 'temps');
    const archive = createDirectoryEvidenceArchive({ root });
    const record = await archive.put(new TextEncoder().encode('x'), {
      contentType: 'text/plain',
      kind: 'test',
    });
    const hex = record.contentHash.slice('sha256:'.length);
    const temp = join(root, 'sha256', hex.slice(0, 2), `${hex}.abcdef.tmp`);
    writeFileSync(temp, 'partial');
    expect(await archive.purgeBefore(new Date('2000-01-01T00:00:00Z'))).toBe(0);
    expect(existsSync(temp)).toBe(true);
    await archive.purgeBefore(new Date(Date.now() + 60_000));
    expect(existsSync(temp)).toBe(false);
  });
});
