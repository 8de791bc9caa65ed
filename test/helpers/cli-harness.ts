/**
 * Drives CLI commands in-process with real streams (PassThrough), a fixed clock and real files.
 */
import { readFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../cli/cli-io.ts';

export interface CapturedIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

export function captureIo(stdinText = ''): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
  return {
    io: {
      stdout,
      stderr,
      stdin: Readable.from([Buffer.from(stdinText)]),
      readFile: (path) => readFile(path),
      now: () => new Date('2026-01-22T10:00:00.000Z'),
      env: {},
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
