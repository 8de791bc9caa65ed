/**
 * The project's import graph, read from the source text (static imports and exports, `import()`
 * calls), and the rules the boundary test holds it to: every import points down the layers of
 * docs/development.md, no cloud SDK is loaded at the top of a core file, no runtime folder is
 * imported by the core, and no import cycle exists. Kept small and dependency-free on purpose.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export interface SourceImport {
  readonly specifier: string;
  /** The resolved repository-relative path for a relative specifier; null for a package. */
  readonly target: string | null;
  /** `import type` / `export type`: erased at build time. */
  readonly typeOnly: boolean;
  /** An `import()` call: loaded on first use, not at start. */
  readonly dynamic: boolean;
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function readImports(file: string, source: string): SourceImport[] {
  const resolve = (specifier: string) =>
    specifier.startsWith('.') ? normalize(join(dirname(file), specifier)) : null;
  const found: SourceImport[] = [];
  for (const match of source.matchAll(STATIC)) {
    const specifier = match[3] ?? '';
    found.push({ specifier, target: resolve(specifier), typeOnly: match[2] !== undefined, dynamic: false });
  }
  for (const match of source.matchAll(DYNAMIC)) {
    const specifier = match[1] ?? '';
    found.push({ specifier, target: resolve(specifier), typeOnly: false, dynamic: true });
  }
  return found;
}

/** Every .ts file under the given folders, repository-relative, with its source text. */
export function readSources(root: string, folders: readonly string[]): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) sources.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  for (const folder of folders) walk(folder);
  return sources;
}

/**
 * The core's rooms from top to bottom. A file may import its own room or any room below it.
 * Runtimes (functions/, cli/) sit above all of them.
 */
export const CORE_LAYERS: readonly (readonly string[])[] = [
  ['runtime'],
  ['pipeline'],
  ['config'],
  ['webhook'],
  ['poll'],
  ['mesh'],
  ['notify'],
  ['engine'],
  ['probe'],
  ['inbox'],
  ['ingest'],
  ['store'],
  ['event'],
  ['observability'],
  ['util'],
];

/** Packages that talk to a cloud: in the core they may only be loaded with import() (or as types). */
export const CLOUD_SDKS = /^(@azure\/|@aws-sdk\/|aws-lambda$|@azure\/functions$)/;
/** Packages that belong to one runtime: never imported by the core, not even as types. */
export const RUNTIME_PACKAGES = /^(@azure\/functions|aws-lambda)$/;

export interface Violation {
  readonly file: string;
  readonly rule: 'runtime-import' | 'upward-import' | 'unknown-room' | 'top-level-sdk' | 'cycle';
  readonly detail: string;
}

function roomOf(path: string): string | null {
  const parts = path.split(/[\\/]/);
  if (parts[0] === 'shared') return parts.length > 2 ? (parts[1] ?? null) : '';
  return null;
}

function layerOf(room: string): number {
  return CORE_LAYERS.findIndex((layer) => layer.includes(room));
}

/** The rules, applied to a set of sources (the real tree, or a copy with a planted violation). */
export function findViolations(sources: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, source] of sources) {
    const room = roomOf(file);
    const edges: string[] = [];
    graph.set(file, edges);
    for (const found of readImports(file, source)) {
      if (found.target?.endsWith('.ts')) edges.push(found.target);
      if (room === null) continue; // runtimes may import anything below them
      if (found.target === null) {
        if (RUNTIME_PACKAGES.test(found.specifier))
          violations.push({ file, rule: 'runtime-import', detail: found.specifier });
        else if (CLOUD_SDKS.test(found.specifier) && !found.typeOnly && !found.dynamic)
          violations.push({ file, rule: 'top-level-sdk', detail: found.specifier });
        continue;
      }
      const targetRoom = roomOf(found.target);
      if (targetRoom === null) {
        // Outside the core: only data files (the generated schema, package.json) are allowed.
        if (!found.target.endsWith('.json'))
          violations.push({ file, rule: 'runtime-import', detail: found.specifier });
        continue;
      }
      if (targetRoom === room) continue;
      const from = layerOf(room);
      const to = layerOf(targetRoom);
      if (from < 0 || to < 0) {
        violations.push({ file, rule: 'unknown-room', detail: from < 0 ? room : targetRoom });
        continue;
      }
      if (to <= from) violations.push({ file, rule: 'upward-import', detail: `${room} -> ${targetRoom}` });
    }
  }
  for (const cycle of findCycles(graph)) {
    violations.push({ file: cycle[0] ?? '', rule: 'cycle', detail: cycle.join(' -> ') });
  }
  return violations;
}

/** Strongly connected components of more than one file (or a file importing itself). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, lowlinks.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}
