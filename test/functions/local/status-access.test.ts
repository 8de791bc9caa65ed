import { describe, expect, it } from 'vitest';
import { canReadStatus, isLoopbackHost } from '../../../functions/local/status-access.ts';

const TOKENS = ['status-token-0123456789abcdef'];

describe('canReadStatus', () => {
  it('on loopback, admits loopback Host headers and refuses a rebinding page (foreign Host)', () => {
    for (const hostHeader of ['127.0.0.1:7071', 'localhost:7071', '[::1]:7071', '127.0.0.1']) {
      expect(canReadStatus('127.0.0.1', { hostHeader, token: null }, TOKENS)).toBe(true);
    }
    for (const hostHeader of ['attacker.example:7071', 'attacker.example', '', undefined]) {
      expect(canReadStatus('127.0.0.1', { hostHeader, token: null }, TOKENS)).toBe(false);
    }
  });

  it('on any other address, requires a webhook token', () => {
    expect(canReadStatus('0.0.0.0', { hostHeader: 'crosswatch.lan', token: null }, TOKENS)).toBe(false);
    expect(canReadStatus('0.0.0.0', { hostHeader: 'crosswatch.lan', token: 'wrong' }, TOKENS)).toBe(false);
    expect(canReadStatus('0.0.0.0', { hostHeader: 'crosswatch.lan', token: TOKENS[0] ?? '' }, TOKENS)).toBe(
      true,
    );
  });

  it('knows the loopback names', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
  });
});
