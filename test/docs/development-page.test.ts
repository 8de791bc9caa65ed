/**
 * docs/development.md describes every folder of the source tree: each top-level folder, and every
 * folder (at any depth) of the source folders, must be named on the page as `<path>/`. The core's
 * rooms are listed in the order the import-boundary test enforces (CORE_LAYERS, top to bottom).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_LAYERS } from '../helpers/import-graph.ts';
import { ROOT } from '../helpers/markdown-docs.ts';

const page = readFileSync(join(ROOT, 'docs/development.md'), 'utf8');

/** Generated or installed, never edited. */
const IGNORED = new Set(['.git', 'node_modules', 'dist', 'coverage', '.crosswatch']);
/** Folders whose every subfolder is source and must be described. */
const SOURCE_FOLDERS = ['shared', 'functions', 'cli', 'infra', 'bench', 'scripts', 'bin', 'schema', 'docs'];

function holdsFiles(path: string): boolean {
  return readdirSync(join(ROOT, path), { withFileTypes: true }).some((entry) =>
    entry.isDirectory() ? !IGNORED.has(entry.name) && holdsFiles(join(path, entry.name)) : true,
  );
}

function subfolders(path: string): string[] {
  return readdirSync(join(ROOT, path), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !IGNORED.has(entry.name))
    .map((entry) => join(path, entry.name))
    .filter(holdsFiles);
}

function walk(path: string): string[] {
  return subfolders(path).flatMap((folder) => [folder, ...walk(folder)]);
}

describe('docs/development.md', () => {
  it('describes every top-level folder', () => {
    const folders = subfolders('.').map((folder) => folder.replace(/^\.\//, ''));
    expect(folders).toContain('shared');
    expect(folders.filter((folder) => !page.includes(`\`${folder}/\``))).toEqual([]);
  });

  it('describes every folder of the source tree', () => {
    const folders = SOURCE_FOLDERS.flatMap(walk);
    expect(folders).toContain(join('shared', 'notify', 'sinks'));
    expect(folders.filter((folder) => !page.includes(`\`${folder}/\``))).toEqual([]);
  });

  it("lists the core's rooms from top to bottom, as the import-boundary test orders them", () => {
    const rooms = CORE_LAYERS.flat();
    const positions = rooms.map((room) => page.indexOf(`- \`shared/${room}/\``));
    expect(rooms.filter((_, index) => (positions[index] ?? -1) < 0)).toEqual([]);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});
