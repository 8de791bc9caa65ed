/**
 * The JSON examples in the docs are real: every configuration example loads through the
 * configuration loader (the file layer `crosswatch serve --config FILE` uses, with all of its
 * validation), the notifications page has a complete example for every sink kind, and the
 * targets-file example parses with the targets-file parser.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/load-config.ts';
import { SINK_KINDS } from '../../shared/notify/sink.ts';
import { parseTargetsFile } from '../../shared/probe/targets-file.ts';
import { extractFencedBlocks, type FencedBlock, readDocPages } from '../helpers/markdown-docs.ts';

/** Pages whose JSON blocks are configuration documents (crosswatch.config.json). */
const CONFIG_PAGES = [
  'docs/getting-started.md',
  'docs/configuration.md',
  'docs/incidents.md',
  'docs/mesh.md',
  'docs/notifications.md',
];
/** Pages whose JSON blocks are probe targets files. */
const TARGETS_PAGES = ['docs/probes.md'];

const jsonBlocks = readDocPages().flatMap((page) =>
  extractFencedBlocks(page).filter((block) => block.info === 'json'),
);
const label = (block: FencedBlock) => `${block.page}:${block.line}`;
const workDir = mkdtempSync(join(tmpdir(), 'crosswatch-doc-examples-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function loadExample(block: FencedBlock) {
  const file = join(workDir, `${label(block).replace(/[/:]/g, '-')}.json`);
  writeFileSync(file, block.body);
  return loadConfig({ file, env: {}, cwd: workDir });
}

describe('JSON examples in the docs', () => {
  it('every JSON block sits on a page whose examples are checked', () => {
    const checked = new Set([...CONFIG_PAGES, ...TARGETS_PAGES]);
    expect(jsonBlocks.filter((block) => !checked.has(block.page)).map(label)).toEqual([]);
    expect(jsonBlocks.length).toBeGreaterThan(10);
  });

  it.each(
    jsonBlocks.filter((block) => CONFIG_PAGES.includes(block.page)).map((block) => [label(block), block]),
  )('the configuration example at %s loads', async (_, block) => {
    await expect(loadExample(block)).resolves.toBeDefined();
  });

  it('the notifications page has a complete example for every sink kind', async () => {
    const kinds = new Set<string>();
    for (const block of jsonBlocks.filter((candidate) => candidate.page === 'docs/notifications.md')) {
      const config = await loadExample(block);
      for (const sink of config.notify.sinks) kinds.add(sink.kind);
    }
    expect([...SINK_KINDS].filter((kind) => !kinds.has(kind))).toEqual([]);
  });

  it('would catch a wrong example', async () => {
    const block: FencedBlock = {
      page: 'docs/notifications.md',
      line: 0,
      info: 'json',
      body: JSON.stringify({
        notify: {
          sinks: [{ kind: 'webhook', name: 'w', url: 'https://x.example', secret: 'whsec_c2hvcnQ=' }],
        },
      }),
    };
    await expect(loadExample(block)).rejects.toThrow('notify.sinks[0].secret');
  });

  it.each(
    jsonBlocks.filter((block) => TARGETS_PAGES.includes(block.page)).map((block) => [label(block), block]),
  )('the targets file at %s parses', (_, block) => {
    expect(parseTargetsFile(block.body).targets.length).toBeGreaterThan(0);
  });
});
