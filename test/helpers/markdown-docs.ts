/**
 * The documentation as the docs tests read it: README.md and every page in docs/, their fenced code
 * blocks (with the info string, e.g. `sh runnable` or `json`), their headings' GitHub anchors and
 * their relative links. Plain string handling, no Markdown library.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface DocPage {
  /** Repository-relative path: `README.md`, `docs/probes.md`. */
  readonly path: string;
  readonly text: string;
}

export interface FencedBlock {
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string after the opening fence (`sh runnable`, `json`, ``). */
  readonly info: string;
  readonly body: string;
}

/** The pages under docs/, sorted. */
export function listDocsPages(): string[] {
  return readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
}

/** README.md and every docs page. */
export function readDocPages(): DocPage[] {
  return ['README.md', ...listDocsPages()].map((path) => ({
    path,
    text: readFileSync(join(ROOT, path), 'utf8'),
  }));
}

/** Every fenced code block (``` fences at the start of a line) of a page. */
export function extractFencedBlocks(page: DocPage): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = page.text.split('\n');
  let open: { line: number; info: string; body: string[] } | null = null;
  lines.forEach((line, index) => {
    if (open === null) {
      const fence = /^```(.*)$/.exec(line);
      if (fence) open = { line: index + 1, info: (fence[1] ?? '').trim(), body: [] };
    } else if (/^```\s*$/.test(line)) {
      blocks.push({ page: page.path, line: open.line, info: open.info, body: open.body.join('\n') });
      open = null;
    } else {
      open.body.push(line);
    }
  });
  if (open !== null) throw new Error(`${page.path}: a code fence opened and never closed`);
  return blocks;
}

/** The page's text outside fenced code blocks (where headings and links live). */
export function proseOf(page: DocPage): string {
  return page.text.replace(/^```[^\n]*\n[\s\S]*?^```\s*$/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading of a page (duplicates get GitHub's -1, -2 suffixes). */
export function listAnchors(page: DocPage): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of proseOf(page).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const anchor = githubAnchor(match[1] ?? '');
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** Every inline Markdown link target of a page that is not an absolute URL. */
export function listRelativeLinks(page: DocPage): string[] {
  return [...proseOf(page).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target));
}
