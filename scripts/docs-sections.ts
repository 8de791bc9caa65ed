/**
 * The generated sections of docs/: each lives between a start and an end marker in one page and is
 * rendered from the code it documents, so it cannot drift (test/docs/generated-sections.test.ts
 * fails when a page's copy is stale; `npx tsx scripts/generate-docs.ts` rewrites them).
 *
 * - docs/configuration.md: the configuration reference table (shared/config/config-reference.ts);
 * - docs/operations.md: the command reference, one section per command, from the `*_USAGE` help
 *   texts in cli/ (what `crosswatch <command> --help` prints).
 */
import { DELIVERIES_USAGE } from '../cli/deliveries-command.ts';
import { INCIDENTS_USAGE } from '../cli/incidents-command.ts';
import { INGEST_USAGE } from '../cli/ingest-command.ts';
import { MAIN_USAGE } from '../cli/main.ts';
import { NORMALIZE_USAGE } from '../cli/normalize-command.ts';
import { PROBE_USAGE } from '../cli/probe-command.ts';
import { REDRIVE_USAGE } from '../cli/redrive-command.ts';
import { REPLAY_USAGE } from '../cli/replay-command.ts';
import { ROUTE_USAGE } from '../cli/route-command.ts';
import { SEND_TEST_USAGE } from '../cli/send-test-command.ts';
import { SERVE_USAGE } from '../cli/serve-command.ts';
import { SILENCE_USAGE } from '../cli/silence-command.ts';
import { renderConfigReferenceTable } from '../shared/config/config-reference.ts';

export interface GeneratedSection {
  /** Repository-relative page. */
  readonly file: string;
  readonly start: string;
  readonly end: string;
  readonly render: () => string;
}

/** The help text of every command that has its own (`start` is an alias of `serve`). */
export const COMMAND_USAGES: Readonly<Record<string, string>> = {
  deliveries: DELIVERIES_USAGE,
  incidents: INCIDENTS_USAGE,
  ingest: INGEST_USAGE,
  normalize: NORMALIZE_USAGE,
  probe: PROBE_USAGE,
  redrive: REDRIVE_USAGE,
  replay: REPLAY_USAGE,
  route: ROUTE_USAGE,
  'send-test': SEND_TEST_USAGE,
  serve: SERVE_USAGE,
  silence: SILENCE_USAGE,
};

export interface ListedCommand {
  readonly name: string;
  /** The command this one is an alias of, when its description says `alias of <command>`. */
  readonly aliasOf: string | null;
}

/** The commands `crosswatch --help` lists, in its order. */
export function listCommands(mainUsage: string = MAIN_USAGE): ListedCommand[] {
  const section = /\nCommands:\n([\s\S]*?)\n\n/.exec(mainUsage)?.[1];
  if (section === undefined) throw new Error('cli/main.ts MAIN_USAGE has no "Commands:" section');
  return section
    .split('\n')
    .map((line) => /^ {2}([a-z][a-z-]*)\b(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      name: match[1] ?? '',
      aliasOf: /\balias of ([a-z-]+)/.exec(match[2] ?? '')?.[1] ?? null,
    }));
}

function fence(text: string): string {
  return ['```text', text.replace(/\n+$/, ''), '```'].join('\n');
}

/**
 * The command reference: `crosswatch --help`, then one section per listed command with its help
 * text. Throws when a listed command has no help text and is not an alias, or when a help text
 * belongs to no listed command, so a new command cannot go undocumented.
 */
export function renderCommandReference(
  mainUsage: string = MAIN_USAGE,
  usages: Readonly<Record<string, string>> = COMMAND_USAGES,
): string {
  const commands = listCommands(mainUsage);
  const listed = new Set(commands.map((command) => command.name));
  for (const name of Object.keys(usages)) {
    if (!listed.has(name)) throw new Error(`crosswatch --help does not list "${name}"`);
  }
  const parts = ['### `crosswatch`', '', fence(mainUsage)];
  for (const command of commands) {
    parts.push('', `### \`crosswatch ${command.name}\``, '');
    const usage = usages[command.name];
    if (usage !== undefined) parts.push(fence(usage));
    else if (command.aliasOf !== null)
      parts.push(`An alias of [\`crosswatch ${command.aliasOf}\`](#crosswatch-${command.aliasOf}).`);
    else throw new Error(`no help text for "crosswatch ${command.name}" in scripts/docs-sections.ts`);
  }
  return `${parts.join('\n')}\n`;
}

export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
  {
    file: 'docs/configuration.md',
    start: '<!-- config-reference:start -->',
    end: '<!-- config-reference:end -->',
    render: renderConfigReferenceTable,
  },
  {
    file: 'docs/operations.md',
    start: '<!-- cli-reference:start -->',
    end: '<!-- cli-reference:end -->',
    render: () => renderCommandReference(),
  },
];

function findMarkers(page: string, section: GeneratedSection): { from: number; to: number } {
  const start = page.indexOf(`${section.start}\n`);
  const end = page.indexOf(section.end);
  if (start < 0 || end < start) {
    throw new Error(`${section.file}: missing ${section.start} … ${section.end}`);
  }
  return { from: start + section.start.length + 1, to: end };
}

/** The page's current copy of the section (between the markers). */
export function readSection(page: string, section: GeneratedSection): string {
  const { from, to } = findMarkers(page, section);
  return page.slice(from, to);
}

/** The page with the section between its markers replaced by `content`. */
export function writeSection(page: string, section: GeneratedSection, content: string): string {
  const { from, to } = findMarkers(page, section);
  return `${page.slice(0, from)}${content}${page.slice(to)}`;
}
