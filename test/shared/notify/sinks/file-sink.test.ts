import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSink } from '../../../../shared/notify/sinks/file-sink.ts';
import { buildContext, buildMessage } from '../../../helpers/notify-messages.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('file sink', () => {
  it('appends one JSON line per send, creating the directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'crosswatch-file-sink-'));
    const path = join(dir, 'nested', 'notifications.jsonl');
    const sink = createFileSink(
      { kind: 'file', name: 'file', path },
      { now: () => new Date('2026-02-02T19:20:01.000Z') },
    );
    const message = buildMessage();
    expect(await sink.send(message, buildContext({ deliveryId: 'd-1' }))).toMatchObject({
      outcome: 'delivered',
    });
    expect(await sink.send(message, buildContext({ deliveryId: 'd-2', attempt: 2 }))).toMatchObject({
      outcome: 'delivered',
    });
    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { deliveryId: 'd-1', attempt: 1, writtenAt: '2026-02-02T19:20:01.000Z', message },
      { deliveryId: 'd-2', attempt: 2, writtenAt: '2026-02-02T19:20:01.000Z', message },
    ]);
  });

  it('is permanent when the path cannot be a file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'crosswatch-file-sink-'));
    await writeFile(join(dir, 'blocker'), 'x');
    const sink = createFileSink({ kind: 'file', name: 'file', path: join(dir, 'blocker', 'out.jsonl') });
    const result = await sink.send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'permanent', status: null });
    expect(result.detail).toMatch(/EEXIST|ENOTDIR/);
  });
});
