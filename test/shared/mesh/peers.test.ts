import { describe, expect, it } from 'vitest';
import { parsePeers } from '../../../shared/mesh/peers.ts';

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
