import { describe, expect, it } from 'vitest';
import { PROBE_ERROR_CODE_PATTERN } from '../../../shared/event/vocabulary.ts';
import {
  classifyError,
  classifyTimeout,
  describeError,
  PROBE_PHASES,
} from '../../../shared/probe/classify-error.ts';

const errno = (code: string, message = `connect ${code} 203.0.113.9:443`) =>
  Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it('maps socket errnos, including unreachable networks', () => {
    expect(classifyError(errno('ECONNREFUSED'), 'connect')).toBe('TCP_REFUSED');
    expect(classifyError(errno('ECONNRESET'), 'http')).toBe('TCP_RESET');
    expect(classifyError(errno('ETIMEDOUT'), 'connect')).toBe('TCP_TIMEOUT');
    expect(classifyError(errno('EHOSTUNREACH'), 'connect')).toBe('TCP_UNREACHABLE');
    expect(classifyError(errno('ENETUNREACH'), 'connect')).toBe('TCP_UNREACHABLE');
    expect(classifyError(errno('EWHATEVER'), 'connect')).toBe('TCP_ERROR');
  });

  it('maps resolver errors, from getaddrinfo and c-ares', () => {
    expect(classifyError(errno('ENOTFOUND'), 'dns')).toBe('DNS_NXDOMAIN');
    expect(classifyError(errno('ENOTFOUND'), 'connect')).toBe('DNS_NXDOMAIN');
    expect(classifyError(errno('EAI_AGAIN'), 'dns')).toBe('DNS_TIMEOUT');
    expect(classifyError(errno('ETIMEOUT'), 'dns')).toBe('DNS_TIMEOUT');
    expect(classifyError(errno('ESERVFAIL'), 'dns')).toBe('DNS_SERVFAIL');
    expect(classifyError(errno('EREFUSED'), 'dns')).toBe('DNS_REFUSED');
    expect(classifyError(errno('ENODATA'), 'dns')).toBe('DNS_NODATA');
    expect(classifyError(errno('ECONNREFUSED'), 'dns')).toBe('DNS_ERROR');
    expect(classifyError(errno('ECANCELLED'), 'dns')).toBe('DNS_TIMEOUT');
  });

  it('maps certificate verification failures', () => {
    expect(classifyError(errno('CERT_HAS_EXPIRED'), 'tls')).toBe('TLS_EXPIRED');
    expect(classifyError(errno('CERT_NOT_YET_VALID'), 'tls')).toBe('TLS_NOT_YET_VALID');
    expect(classifyError(errno('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls')).toBe('TLS_HOSTNAME_MISMATCH');
    expect(classifyError(errno('SELF_SIGNED_CERT_IN_CHAIN'), 'tls')).toBe('TLS_UNTRUSTED');
    expect(classifyError(errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls')).toBe('TLS_UNTRUSTED');
    expect(classifyError(errno('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls')).toBe('TLS_HANDSHAKE');
  });

  it('maps HTTP parser errors and a hang-up without a code', () => {
    expect(classifyError(errno('HPE_INVALID_CONSTANT'), 'http')).toBe('HTTP_PROTOCOL');
    expect(classifyError(new Error('socket hang up'), 'http')).toBe('TCP_RESET');
    expect(classifyError('weird', 'smtp')).toBe('SMTP_PROTOCOL');
  });

  it('gives every phase a timeout code, and every code is valid in schema v1', () => {
    const pattern = new RegExp(PROBE_ERROR_CODE_PATTERN);
    for (const phase of PROBE_PHASES) expect(classifyTimeout(phase)).toMatch(pattern);
    expect(classifyTimeout('http')).toBe('HTTP_TIMEOUT');
    expect(classifyTimeout('smtp')).toBe('SMTP_TIMEOUT');
    expect(classifyTimeout('connect')).toBe('TCP_TIMEOUT');
  });

  it('describes an error by code and first message line', () => {
    expect(describeError(errno('EHOSTUNREACH', 'connect EHOSTUNREACH 203.0.113.9:443\nmore'))).toBe(
      'connect EHOSTUNREACH 203.0.113.9:443',
    );
    expect(describeError(errno('CERT_HAS_EXPIRED', 'certificate has expired'))).toBe(
      'CERT_HAS_EXPIRED: certificate has expired',
    );
  });
});
