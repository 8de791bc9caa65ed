/**
 * The README is the way in: it links every page of docs/, and every relative link in the README and
 * the docs points at a file that exists (and, with a #fragment into a Markdown page, at a heading
 * that exists).
 */
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listAnchors,
  listDocsPages,
  listRelativeLinks,
  ROOT,
  readDocPages,
} from '../helpers/markdown-docs.ts';

const pages = readDocPages();
const byPath = new Map(pages.map((page) => [page.path, page]));

describe('documentation links', () => {
  it('the README links every page in docs/', () => {
    const readme = byPath.get('README.md');
    const linked = new Set(
      listRelativeLinks(readme ?? { path: 'README.md', text: '' }).map((l) => l.split('#')[0]),
    );
    expect(listDocsPages().filter((page) => !linked.has(page))).toEqual([]);
  });

  it.each(pages.map((page) => [page.path, page] as const))(
    'every relative link in %s resolves',
    (_, page) => {
      const broken: string[] = [];
      for (const link of listRelativeLinks(page)) {
        const [file = '', fragment] = link.split('#');
        const target = file === '' ? page.path : normalize(join(dirname(page.path), file));
        if (!existsSync(join(ROOT, target))) {
          broken.push(`${link} (no file ${target})`);
          continue;
        }
        const targetPage = byPath.get(target);
        if (fragment !== undefined && targetPage !== undefined && !listAnchors(targetPage).has(fragment)) {
          broken.push(`${link} (no heading #${fragment} in ${target})`);
        }
      }
      expect(broken).toEqual([]);
    },
  );
});
