import { describe, expect, it } from 'vitest';
import { InvalidSinkConfigError, validateSinkConfig } from '../../../shared/notify/create-sink.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;

function problem(value: unknown): string {
  try {
    validateSinkConfig(value, 'sinks[2]');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSinkConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('validateSinkConfig', () => {
  it('accepts one valid config of every kind', () => {
    const configs = [
      { kind: 'slack', name: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
      { kind: 'teams', name: 'teams', url: 'https://prod-00.westus.logic.azure.com/workflows/x?sig=y' },
      { kind: 'pagerduty', name: 'pd', routingKey: 'e93facc04764012d7bfb002500d5d1a6' },
      { kind: 'opsgenie', name: 'og', apiKey: 'k-1', region: 'eu' },
      { kind: 'webhook', name: 'hook', url: 'https://example.com/in', secret: SECRET },
      {
        kind: 'email',
        name: 'mail',
        smtp: { host: 'smtp.example.com', port: 587, user: 'u', pass: 'p' },
        from: 'Alerts <a@example.com>',
        to: ['b@example.com'],
      },
      { kind: 'ses', name: 'ses', region: 'eu-west-1', from: 'a@example.com', to: ['b@example.com'] },
      { kind: 'sns', name: 'sms', region: 'us-east-1', phoneNumbers: ['+15555550100'] },
      {
        kind: 'sns',
        name: 'topic',
        region: 'us-east-1',
        topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      },
      { kind: 'file', name: 'file', path: './.crosswatch/notifications.jsonl' },
      { kind: 'console', name: 'console' },
    ];
    for (const config of configs) expect(validateSinkConfig(config, 'sinks[0]')).toEqual(config);
  });

  it('defaults the Opsgenie region to us', () => {
    expect(validateSinkConfig({ kind: 'opsgenie', name: 'og', apiKey: 'k' }, 's')).toMatchObject({
      region: 'us',
    });
  });

  it.each([
    [{ kind: 'slack', name: 's', url: 'http://hooks.slack.com/x' }, 'sinks[2].url: must be an https URL'],
    [{ kind: 'slack', name: 's' }, 'sinks[2].url: is required'],
    [{ kind: 'teams', name: 's', url: 'not a url' }, 'sinks[2].url: must be an https URL'],
    [
      { kind: 'pager', name: 's' },
      'sinks[2].kind: must be one of slack, teams, pagerduty, opsgenie, webhook, email, ses, sns, file, console',
    ],
    [
      { kind: 'slack', name: 'bad name!', url: 'https://x.example' },
      'sinks[2].name: must be 1-64 letters, digits, ".", "_" or "-"',
    ],
    [
      { kind: 'slack', name: 's', url: 'https://x.example', urll: 'typo' },
      'sinks[2].urll: unknown setting for a slack sink',
    ],
    [{ kind: 'pagerduty', name: 'p', routingKey: 'a b' }, 'sinks[2].routingKey: must not contain whitespace'],
    [{ kind: 'opsgenie', name: 'o', apiKey: 'k', region: 'asia' }, 'sinks[2].region: must be "us" or "eu"'],
    [
      { kind: 'webhook', name: 'w', url: 'https://x.example', secret: 'plain' },
      'sinks[2].secret: must be "whsec_" followed by base64 of 24-64 random bytes',
    ],
    [
      { kind: 'webhook', name: 'w', url: 'http://x.example', secret: SECRET },
      'sinks[2].url: must be an https URL',
    ],
    [
      {
        kind: 'email',
        name: 'm',
        smtp: { host: 'h', port: 0 },
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      'sinks[2].smtp.port: must be a port number (1-65535)',
    ],
    [
      {
        kind: 'email',
        name: 'm',
        smtp: { host: 'h', port: 25, pass: 'p' },
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      'sinks[2].smtp.user: is required when pass is set',
    ],
    [
      { kind: 'email', name: 'm', smtp: { host: 'h', port: 25 }, from: 'a@example.com', to: [] },
      'sinks[2].to: must be a non-empty list of email addresses',
    ],
    [
      { kind: 'ses', name: 's', region: 'Ireland', from: 'a@example.com', to: ['b@example.com'] },
      'sinks[2].region: must be an AWS region such as eu-west-1',
    ],
    [
      { kind: 'ses', name: 's', region: 'eu-west-1', from: 'a@example.com', to: ['nope'] },
      'sinks[2].to[0]: must be an email address',
    ],
    [
      { kind: 'sns', name: 's', region: 'us-east-1' },
      'sinks[2]: set exactly one of topicArn or phoneNumbers',
    ],
    [
      { kind: 'sns', name: 's', region: 'us-east-1', phoneNumbers: ['555-0100'] },
      'sinks[2].phoneNumbers[0]: must be an E.164 phone number such as +15551234567',
    ],
    [{ kind: 'console', name: 'c', format: 'xml' }, 'sinks[2].format: must be "json" or "text"'],
    ['slack', 'sinks[2]: must be an object with name and kind'],
  ])('refuses %j with a one-line message naming the field', (value, message) => {
    expect(problem(value)).toBe(message);
  });

  it('accepts allowPrivate on every sink with a URL or host, as true or false only', () => {
    const configs = [
      { kind: 'slack', name: 's', url: 'https://hooks.slack.com/services/T0/B0/x', allowPrivate: true },
      { kind: 'teams', name: 't', url: 'https://example.logic.azure.com/workflows/x', allowPrivate: true },
      {
        kind: 'pagerduty',
        name: 'p',
        routingKey: 'k',
        url: 'https://pd.example.test/v2',
        allowPrivate: true,
      },
      {
        kind: 'opsgenie',
        name: 'o',
        apiKey: 'k',
        region: 'eu',
        url: 'https://og.example.test',
        allowPrivate: false,
      },
      { kind: 'webhook', name: 'w', url: 'https://example.com/in', secret: SECRET, allowPrivate: true },
      {
        kind: 'email',
        name: 'm',
        smtp: { host: '10.0.0.25', port: 25 },
        from: 'a@example.com',
        to: ['b@example.com'],
        allowPrivate: true,
      },
    ];
    for (const config of configs) expect(validateSinkConfig(config, 'sinks[0]')).toEqual(config);
    expect(problem({ kind: 'slack', name: 's', url: 'https://x.example', allowPrivate: 'yes' })).toBe(
      'sinks[2].allowPrivate: must be true or false',
    );
    expect(
      problem({
        kind: 'ses',
        name: 's',
        region: 'eu-west-1',
        from: 'a@example.com',
        to: ['b@example.com'],
        allowPrivate: true,
      }),
    ).toBe('sinks[2].allowPrivate: unknown setting for a ses sink');
  });

  it('never echoes a secret value in its message', () => {
    const message = problem({
      kind: 'slack',
      name: 's',
      url: 'http://hooks.slack.com/services/SENTINEL-SECRET-9f3a',
    });
    expect(message).not.toContain('SENTINEL');
  });
});
