import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  describeSafeError,
  listUrlSecrets,
  redactPatterns,
  redactUrl,
} from '../../../shared/observability/redact.ts';

describe('redaction', () => {
  it('keeps only the scheme and host of a URL', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/abc?x=1')).toBe(
      'https://hooks.slack.com/[redacted]',
    );
    expect(redactUrl('https://example.com')).toBe('https://example.com');
  });

  it('masks URLs, tokens and key=value secrets in free text', () => {
    expect(redactPatterns('POST https://user:pw@prod.logic.azure.com:443/workflows/1?sig=abc failed')).toBe(
      'POST https://prod.logic.azure.com:443/[redacted] failed',
    );
    expect(redactPatterns('Authorization: GenieKey 1234-abcd')).toBe('Authorization: GenieKey [redacted]');
    expect(redactPatterns('secret whsec_AAAA+/== xoxb-123-abc')).toBe('secret whsec_[redacted] [redacted]');
    expect(redactPatterns('{"routing_key":"abc123","password": "pw"}')).toBe(
      '{"routing_key":"[redacted]","password": "[redacted]"}',
    );
  });

  it('redacts exact secrets, their URL parts and encoded forms', () => {
    const url = 'https://hooks.example.com/services/T0/SENTINEL-SECRET-9f3a?token=qq%2Fqq';
    const redact = createRedactor([...listUrlSecrets(url), 'p@ss word']);
    expect(redact('reached SENTINEL-SECRET-9f3a')).toBe('reached [redacted]');
    expect(redact('pass=p%40ss%20word and p@ss word')).not.toContain('ss word');
    expect(redact('qq/qq')).toBe('[redacted]');
  });

  it('describes an error chain on one line, redacted', () => {
    const redact = createRedactor(['SENTINEL-SECRET-9f3a']);
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9 for SENTINEL-SECRET-9f3a'), {
        code: 'ECONNREFUSED',
      }),
    });
    expect(describeSafeError(error, redact)).toBe(
      'TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9 for [redacted]',
    );
  });

  it('masks JWTs and bare function-key or SAS query parameters, but not error codes', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2V4YW1wbGUifQ.c2lnbmF0dXJlLXNlbnRpbmVs';
    expect(redactPatterns(`token ${jwt} refused`)).toBe('token [redacted] refused');
    expect(redactPatterns('GET /api/status?code=FUNCTION-KEY-SENTINEL&x=1')).toBe(
      'GET /api/status?code=[redacted]&x=1',
    );
    expect(redactPatterns('blob?sv=2024&sig=SAS-SENTINEL')).toBe('blob?sv=2024&sig=[redacted]');
    expect(redactPatterns('SMTP reply code 451, errno ECONNRESET')).toBe(
      'SMTP reply code 451, errno ECONNRESET',
    );
  });
});
