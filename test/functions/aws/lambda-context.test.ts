/** Secret references and scheduled times: the pure parts of the Lambda adapter. */
import { describe, expect, it } from 'vitest';
import {
  parseSecretRef,
  readAwsHealthApiSetting,
  resolveSecretEnv,
} from '../../../functions/aws/lambda-context.ts';
import { readScheduledTime } from '../../../functions/aws/scheduled-event.ts';
import { loadConfig } from '../../../shared/config/load-config.ts';

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

describe('readAwsHealthApiSetting (CROSSWATCH_AWS_HEALTH_API)', () => {
  const load = (value: string, document: object = {}) => {
    const env = { CROSSWATCH_AWS_HEALTH_API: value, CROSSWATCH_CONFIG: JSON.stringify(document) };
    return loadConfig({ env, cwd: '/nonexistent', overrides: readAwsHealthApiSetting(env) });
  };

  it('turns the AWS Health API poller on in a view, or off, over the configuration', async () => {
    expect(readAwsHealthApiSetting({})).toEqual([]);
    expect((await load('account')).pollers.awsHealth).toEqual({
      enabled: true,
      organizational: false,
      region: 'us-east-1',
    });
    expect((await load(' Organization ')).pollers.awsHealth).toMatchObject({ organizational: true });
    const configured = { pollers: { awsHealth: { view: 'organization', region: 'us-gov-west-1' } } };
    expect((await load('off', configured)).pollers.awsHealth).toEqual({
      enabled: false,
      organizational: true,
      region: 'us-gov-west-1',
    });
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => readAwsHealthApiSetting({ CROSSWATCH_AWS_HEALTH_API: 'org' })).toThrow(
      'CROSSWATCH_AWS_HEALTH_API: must be account, organization or off',
    );
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
