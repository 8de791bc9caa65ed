/**
 * The generated parts of docs/ are what the code says today (regenerate them with
 * `npx tsx scripts/generate-docs.ts`), and the command reference covers every command with the help
 * text the command itself prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_USAGE, runCli } from '../../cli/main.ts';
import {
  COMMAND_USAGES,
  GENERATED_SECTIONS,
  listCommands,
  readSection,
  renderCommandReference,
} from '../../scripts/docs-sections.ts';
import { captureIo } from '../helpers/cli-harness.ts';
import { ROOT } from '../helpers/markdown-docs.ts';

describe('generated documentation', () => {
  it.each(GENERATED_SECTIONS.map((section) => [`${section.file} ${section.start}`, section] as const))(
    '%s is up to date (npx tsx scripts/generate-docs.ts)',
    (_, section) => {
      const page = readFileSync(join(ROOT, section.file), 'utf8');
      expect(readSection(page, section)).toBe(section.render());
    },
  );

  it('lists every command of crosswatch --help, each with a help text or as an alias', () => {
    const commands = listCommands();
    expect(commands.map((command) => command.name)).toContain('serve');
    for (const command of commands) {
      expect(COMMAND_USAGES[command.name] !== undefined || command.aliasOf !== null, command.name).toBe(true);
    }
    const reference = renderCommandReference();
    for (const command of commands) expect(reference).toContain(`### \`crosswatch ${command.name}\``);
  });

  it.each(listCommands().map((command) => [command.name, command] as const))(
    'documents the help that `crosswatch %s --help` prints',
    async (name, command) => {
      const captured = captureIo();
      expect(await runCli([name, '--help'], captured.io)).toBe(0);
      expect(captured.stdout()).toBe(COMMAND_USAGES[command.aliasOf ?? name]);
    },
  );

  it('documents the help that `crosswatch --help` prints', async () => {
    const captured = captureIo();
    expect(await runCli(['--help'], captured.io)).toBe(0);
    expect(captured.stdout()).toBe(MAIN_USAGE);
  });

  it('refuses a command listed without a help text, and a help text of an unlisted command', () => {
    const extra = MAIN_USAGE.replace('Commands:\n', 'Commands:\n  frobnicate              not documented\n');
    expect(() => renderCommandReference(extra)).toThrow('no help text for "crosswatch frobnicate"');
    expect(() => renderCommandReference(MAIN_USAGE, { ...COMMAND_USAGES, frobnicate: 'Usage: …\n' })).toThrow(
      'crosswatch --help does not list "frobnicate"',
    );
  });
});
