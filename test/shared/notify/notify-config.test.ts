/**
 * The notify config section: defaults (a console sink and a default route to it), full documents,
 * and errors that name the field.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTBOX_SETTINGS,
  NotifyConfigError,
  validateNotifyConfig,
} from '../../../shared/notify/notify-config.ts';
import { InvalidSinkConfigError } from '../../../shared/notify/sink-config.ts';

const SINKS = [
  { name: 'slack', kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXX' },
  { name: 'teams', kind: 'teams', url: 'https://example.webhook.office.com/workflows/abc' },
  { name: 'sms', kind: 'console' },
];

describe('validateNotifyConfig', () => {
  it('defaults to a console sink, a default route to it and the outbox defaults', () => {
    const config = validateNotifyConfig(undefined);
    expect(config.sinks).toEqual([expect.objectContaining({ kind: 'console', name: 'console' })]);
    expect(config.routes).toEqual([]);
    expect(config.defaultRoute).toEqual({ sinks: ['console'], fallback: [] });
    expect(config.outbox).toEqual(DEFAULT_OUTBOX_SETTINGS);
    expect(DEFAULT_OUTBOX_SETTINGS).toMatchObject({
      maxAttempts: 8,
      retryAfterCapMs: 60_000,
      attemptTimeoutMs: 10_000,
    });
  });

  it('reads sinks, rules, the default route and outbox overrides', () => {
    const config = validateNotifyConfig({
      sinks: SINKS,
      routes: [
        {
          name: 'identity',
          match: { planes: ['identity'], minSeverity: 'error', acknowledged: false, minAgeMs: 0 },
          sinks: ['teams'],
          fallback: ['sms', 'slack'],
          continue: true,
        },
        { match: { providers: ['aws'] }, sinks: ['slack'] },
      ],
      defaultRoute: { sinks: ['slack'] },
      outbox: { maxAttempts: 3, retryAfterCapMs: 30_000 },
    });
    expect(config.routes).toEqual([
      {
        name: 'identity',
        match: { planes: ['identity'], minSeverity: 'error', acknowledged: false, minAgeMs: 0 },
        sinks: ['teams'],
        continue: true,
        fallback: ['sms', 'slack'],
      },
      { match: { providers: ['aws'] }, sinks: ['slack'], continue: false, fallback: [] },
    ]);
    expect(config.defaultRoute).toEqual({ sinks: ['slack'], fallback: [] });
    expect(config.outbox).toEqual({ ...DEFAULT_OUTBOX_SETTINGS, maxAttempts: 3, retryAfterCapMs: 30_000 });
  });

  it('sends unmatched decisions to every configured sink when no default route is given', () => {
    expect(validateNotifyConfig({ sinks: SINKS }).defaultRoute.sinks).toEqual(['slack', 'teams', 'sms']);
  });

  const errors: [string, unknown, string][] = [
    [
      'unknown sink in a rule',
      { sinks: SINKS, routes: [{ sinks: ['slack'] }, { sinks: ['pager'] }] },
      'notify.routes[1].sinks[0]: unknown sink "pager" (configured: slack, teams, sms)',
    ],
    [
      'unknown sink in a fallback',
      { sinks: SINKS, routes: [{ sinks: ['teams'], fallback: ['slack', 'pager'] }] },
      'notify.routes[0].fallback[1]: unknown sink "pager" (configured: slack, teams, sms)',
    ],
    [
      'a rule without sinks',
      { sinks: SINKS, routes: [{ match: {} }] },
      'notify.routes[0].sinks: is required',
    ],
    ['empty sinks', { sinks: SINKS, routes: [{ sinks: [] }] }, 'notify.routes[0].sinks: must not be empty'],
    [
      'a misspelt criterion',
      { sinks: SINKS, routes: [{ sinks: ['slack'], match: { severity: ['error'] } }] },
      'notify.routes[0].match.severity: unknown field',
    ],
    [
      'a bad min severity',
      { sinks: SINKS, routes: [{ sinks: ['slack'], match: { minSeverity: 'high' } }] },
      'notify.routes[0].match.minSeverity: must be one of critical, error, warning, info',
    ],
    [
      'a non-boolean continue',
      { sinks: SINKS, routes: [{ sinks: ['slack'], continue: 'yes' }] },
      'notify.routes[0].continue: must be true or false',
    ],
    [
      'a duplicate sink name',
      { sinks: [SINKS[0], SINKS[0]] },
      'notify.sinks[1].name: duplicate sink name "slack"',
    ],
    [
      'an unknown default sink',
      { sinks: SINKS, defaultRoute: { sinks: ['nope'] } },
      'notify.defaultRoute.sinks[0]: unknown sink "nope"',
    ],
    [
      'a negative backoff',
      { outbox: { baseDelayMs: -1 } },
      'notify.outbox.baseDelayMs: must be an integer number of milliseconds ≥ 0',
    ],
    [
      'zero attempts',
      { outbox: { maxAttempts: 0 } },
      'notify.outbox.maxAttempts: must be an integer from 1 to 1000',
    ],
    [
      'a lease too short to renew',
      { outbox: { leaseMs: 500 } },
      'notify.outbox.leaseMs: must be at least 1000 ms',
    ],
    ['an unknown outbox field', { outbox: { retries: 3 } }, 'notify.outbox.retries: unknown field'],
    ['an unknown top-level field', { receivers: [] }, 'notify.receivers: unknown field'],
  ];
  for (const [title, value, message] of errors) {
    it(`names the field: ${title}`, () => {
      expect(() => validateNotifyConfig(value)).toThrow(NotifyConfigError);
      expect(() => validateNotifyConfig(value)).toThrow(message);
    });
  }

  it('lets sink entries be checked by their own validator, under the section path', () => {
    expect(() =>
      validateNotifyConfig({ sinks: [{ name: 'x', kind: 'carrier-pigeon' }] }, 'cfg.notify'),
    ).toThrow(InvalidSinkConfigError);
    try {
      validateNotifyConfig({ sinks: [{ name: 'x', kind: 'carrier-pigeon' }] }, 'cfg.notify');
    } catch (error) {
      expect((error as Error).message.startsWith('cfg.notify.sinks[0]')).toBe(true);
    }
  });
});
