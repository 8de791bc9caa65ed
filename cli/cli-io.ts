/**
 * What a CLI command may touch, passed in so tests drive commands in-process with real streams.
 */
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly readFile: (path: string) => Promise<Uint8Array>;
  readonly now: () => Date;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function createProcessIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    readFile: (path) => readFile(path),
    now: () => new Date(),
    env: process.env,
  };
}

/** Writes, resolving once the stream has taken the chunk (so large outputs are not buffered whole). */
export function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', () => resolve());
  });
}

/** One user-facing error line: `crosswatch: <message>`. Never a stack trace. */
export function writeError(io: CliIo, message: string): void {
  io.stderr.write(`crosswatch: ${message.replace(/\s+/g, ' ').trim()}\n`);
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * parseArgs with the CLI's error convention: a bad flag prints one line naming the command and
 * returns undefined (the caller exits 2).
 */
export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig['options']>>(
  io: CliIo,
  command: string,
  args: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeError(io, `${command}: ${message} (see crosswatch ${command} --help)`);
    return undefined;
  }
}
