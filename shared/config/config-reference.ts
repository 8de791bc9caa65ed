/**
 * The configuration reference table of docs/configuration.md, generated from the config schema and
 * the environment variable list (`npx tsx scripts/generate-docs.ts` writes it between the page's
 * config-reference markers; a test fails when the page's copy is stale): one row per setting with its
 * type, default, CROSSWATCH_* variable and description.
 */

import { ENV_SETTINGS } from './config-env.ts';
import { ConfigFileSchema } from './config-schema.ts';

type Node = Record<string, unknown>;

function describeType(schema: Node): string {
  const anyOf = schema.anyOf as Node[] | undefined;
  if (anyOf?.every((option) => Object.hasOwn(option, 'const'))) {
    return anyOf.map((option) => `\`${String(option.const)}\``).join(' \\| ');
  }
  if (schema.type === 'array') return `list of ${describeType((schema.items as Node | undefined) ?? {})}`;
  if (schema.type === 'integer') {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    return minimum !== undefined && maximum !== undefined ? `integer ${minimum}–${maximum}` : 'integer';
  }
  return String(schema.type ?? 'any');
}

function describeDefault(schema: Node): string {
  if (schema.default === undefined) return '';
  const value = schema.default;
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0 && !Array.isArray(value))
    return '';
  if (Array.isArray(value) && value.length === 0) return '';
  return `\`${JSON.stringify(value)}\``;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function collectRows(schema: Node, path: string, rows: string[][], note = ''): void {
  const anyOf = schema.anyOf as Node[] | undefined;
  if (anyOf && !anyOf.every((option) => Object.hasOwn(option, 'const'))) {
    // A union of objects told apart by `kind`: one row for kind, then each kind's options.
    const kinds = anyOf.map((option) => String((option.properties as Record<string, Node>).kind?.const));
    rows.push([
      `${path}.kind`,
      kinds.map((kind) => `\`${kind}\``).join(' \\| '),
      `\`"${kinds[0]}"\``,
      envFor(`${path}.kind`),
      String(schema.description ?? ''),
    ]);
    anyOf.forEach((option, index) => {
      for (const [key, child] of Object.entries((option.properties ?? {}) as Record<string, Node>)) {
        if (key === 'kind') continue;
        collectRows(child, `${path}.${key}`, rows, `kind \`${kinds[index]}\`: `);
      }
    });
    return;
  }
  if (schema.type === 'object' && schema.properties && Object.keys(schema.properties as Node).length > 0) {
    for (const [key, child] of Object.entries(schema.properties as Record<string, Node>)) {
      if (key === '$schema') continue;
      collectRows(child, path ? `${path}.${key}` : key, rows, '');
    }
    return;
  }
  rows.push([
    path,
    describeType(schema),
    describeDefault(schema),
    envFor(path),
    `${note}${String(schema.description ?? '')}`,
  ]);
}

function envFor(path: string): string {
  const setting = ENV_SETTINGS.find((candidate) => candidate.path === path);
  return setting ? `\`${setting.name}\`` : '';
}

/** The Markdown table (header included), one line per setting, ending with a newline. */
export function renderConfigReferenceTable(): string {
  const rows: string[][] = [];
  collectRows(JSON.parse(JSON.stringify(ConfigFileSchema)) as Node, '', rows);
  const lines = [
    '| setting | type | default | variable | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([setting, type, defaultValue, env, meaning]) =>
      `| \`${setting}\` | ${type} | ${defaultValue} | ${env} | ${escapeCell(meaning ?? '')} |`.replace(
        / {2,}/g,
        ' ',
      ),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
