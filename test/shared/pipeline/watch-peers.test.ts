/** Parsing of the watched peers and of secret references (pure functions of the cloud adapters). */
import { describe, expect, it } from 'vitest';
import { parseSecretRef, resolveSecretEnv } from '../../../functions/aws/lambda-context.ts';
import { readScheduledTime } from '../../../functions/aws/scheduled-event.ts';
import { parsePeers } from '../../../shared/pipeline/watch-peers.ts';

describe('parsePeers', () => {
  it('reads id=url pairs and bare ids (pushing peers)', () => {
    expect(parsePeers(' azure=https://app.azurewebsites.net/api/status?code=k1==,eu-probe ')).toEqual([
      { id: 'azure', statusUrl: 'https://app.azurewebsites.net/api/status?code=k1==' },
      { id: 'eu-probe', statusUrl: null },
    ]);
    expect(parsePeers(undefined)).toEqual([]);
    expect(parsePeers('  ')).toEqual([]);
  });

  it('names the bad entry without echoing its URL', () => {
    expect(() => parsePeers('azure=ftp://x?code=secret')).toThrow(
      'peer azure: the status URL must be http(s)',
    );
    expect(() => parsePeers('bad id=https://x')).toThrow('peer 1: invalid deployment id');
  });
});

describe('parseSecretRef', () => {
  it('reads Secrets Manager (with and without a JSON key) and SSM references', () => {
    expect(parseSecretRef('X', 'secretsmanager:crosswatch/sp')).toEqual({
      source: 'secrets-manager',
      secretId: 'crosswatch/sp',
    });
    expect(
      parseSecretRef('X', 'secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:sp#clientSecret'),
    ).toEqual({
      source: 'secrets-manager',
      secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:sp',
      jsonKey: 'clientSecret',
    });
    expect(parseSecretRef('X', 'ssm:/crosswatch/sp')).toEqual({ source: 'ssm', name: '/crosswatch/sp' });
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => parseSecretRef('CROSSWATCH_WEBHOOK_TOKENS_SECRET_REF', 'vault:x')).toThrow(
      'CROSSWATCH_WEBHOOK_TOKENS_SECRET_REF: expected secretsmanager:<id>[#key] or ssm:<name>',
    );
    expect(() => parseSecretRef('X', 'ssm:')).toThrow();
  });

  it('leaves an environment without references untouched (no SDK loaded)', async () => {
    const env = { CROSSWATCH_WEBHOOK_TOKENS: 'abc', OTHER_SECRET_REF: 'ssm:/not-ours' };
    expect(await resolveSecretEnv(env)).toEqual(env);
  });
});

describe('readScheduledTime', () => {
  const fallback = new Date('2026-01-01T00:00:00Z');
  it('reads the Scheduler input, the rule event time, or falls back', () => {
    expect(readScheduledTime({ scheduledTime: '2026-11-29T12:00:00Z' }, fallback).toISOString()).toBe(
      '2026-11-29T12:00:00.000Z',
    );
    expect(readScheduledTime({ time: '2026-11-29T12:01:00Z' } as never, fallback).toISOString()).toBe(
      '2026-11-29T12:01:00.000Z',
    );
    expect(readScheduledTime({ scheduledTime: '<aws.scheduler.scheduled-time>' }, fallback)).toEqual(
      fallback,
    );
    expect(readScheduledTime(null, fallback)).toEqual(fallback);
  });
});
