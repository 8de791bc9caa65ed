/** The `server` section: defaults for the runner's HTTP limits, and timeouts node:http would refuse. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/crosswatch-config.ts';
import { validateConfig } from '../../../shared/config/validate-config.ts';

describe('server settings', () => {
  it('defaults to 10 s for headers, 15 s for a request and 1,000 connections', () => {
    expect(validateConfig({}, 'test').server).toEqual({
      host: '127.0.0.1',
      port: 7071,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      maxConnections: 1000,
    });
  });

  it('refuses a request timeout shorter than the headers timeout, naming both settings', () => {
    const refuse = () =>
      validateConfig(
        { server: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } },
        'crosswatch.config.json',
      );
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(
      'crosswatch.config.json: server.requestTimeoutMs: must be at least server.headersTimeoutMs (5000)',
    );
  });

  it('refuses a connection cap below 1', () => {
    expect(() => validateConfig({ server: { maxConnections: 0 } }, 'crosswatch.config.json')).toThrow(
      /^crosswatch\.config\.json: server\.maxConnections: /,
    );
  });
});
