import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  classifyAddress,
  classifyHostName,
  DestinationLookupError,
  DestinationRefusedError,
  type LookupFunction,
  parseLegacyIpv4,
  resolveDestination,
} from '../../../shared/notify/ssrf-guard.ts';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['192.0.0.192', 'metadata'],
    ['fd00::1', 'private'],
    ['0.1.2.3', 'unspecified'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::10.1.2.3', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:0a00:0001::', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('returns null for a name', () => {
    expect(classifyAddress('example.com')).toBeNull();
  });
});

describe('checkAddress', () => {
  it('lets private ranges through with allowPrivate, never metadata or unspecified', () => {
    expect(() => checkAddress('127.0.0.1', { allowPrivate: true })).not.toThrow();
    expect(() => checkAddress('10.0.0.1', { allowPrivate: true })).not.toThrow();
    expect(() => checkAddress('169.254.169.254', { allowPrivate: true })).toThrow(DestinationRefusedError);
    expect(() => checkAddress('::ffff:169.254.169.254', { allowPrivate: true })).toThrow(/metadata/);
    expect(() => checkAddress('0.0.0.0', { allowPrivate: true })).toThrow(/unspecified/);
    expect(() => checkAddress('127.0.0.1')).toThrow('destination refused: loopback address 127.0.0.1');
  });
});

describe('resolveDestination', () => {
  it('checks every resolved address and returns the first', async () => {
    const lookup = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ];
    expect(await resolveDestination('example.com', { lookup })).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    const mixed = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ];
    await expect(resolveDestination('rebind.example', { lookup: mixed })).rejects.toThrow(
      'destination refused: rebind.example resolves to private address 10.0.0.1',
    );
  });

  it('reports a DNS failure as a lookup error (retryable), not a refusal', async () => {
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    };
    await expect(resolveDestination('nowhere.invalid', { lookup: failing })).rejects.toBeInstanceOf(
      DestinationLookupError,
    );
  });
});

describe('other spellings of an address', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['10.0.0.1.', '10.0.0.1'],
    ['0', '0.0.0.0'],
  ])('reads %s as %s (inet_aton)', (host, address) => {
    expect(parseLegacyIpv4(host)).toBe(address);
  });

  it.each(['example.com', '08.0.0.1', '256.1.1.1', '1.2.3.4.5', '4294967296', '0x', ''])(
    'does not read %s as an address',
    (host) => {
      expect(parseLegacyIpv4(host)).toBeNull();
    },
  );

  it('names metadata services and localhost by name', () => {
    expect(classifyHostName('metadata.google.internal')).toBe('metadata');
    expect(classifyHostName('METADATA.google.internal.')).toBe('metadata');
    expect(classifyHostName('metadata')).toBe('metadata');
    expect(classifyHostName('metadata.goog')).toBe('metadata');
    expect(classifyHostName('instance-data')).toBe('metadata');
    expect(classifyHostName('instance-data.ec2.internal')).toBe('metadata');
    expect(classifyHostName('localhost')).toBe('loopback');
    expect(classifyHostName('app.localhost')).toBe('loopback');
    expect(classifyHostName('hooks.slack.com')).toBeNull();
  });
});

describe('resolveDestination on every spelling', () => {
  const never: LookupFunction = async (name) => {
    throw new Error(`looked up ${name}`);
  };

  it.each([
    ['2130706433', '2130706433 is loopback address 127.0.0.1'],
    ['0177.0.0.1', '0177.0.0.1 is loopback address 127.0.0.1'],
    ['0x7f.1', '0x7f.1 is loopback address 127.0.0.1'],
    ['0xa9fea9fe', '0xa9fea9fe is metadata address 169.254.169.254'],
    ['::ffff:7f00:1', 'loopback address ::ffff:7f00:1'],
    ['[::ffff:127.0.0.1]', 'loopback address ::ffff:127.0.0.1'],
    ['100.64.0.1', 'cgnat address 100.64.0.1'],
    ['fd00::1', 'private address fd00::1'],
    ['fe80::1%eth0', 'link-local address fe80::1%eth0'],
    ['metadata.google.internal', 'metadata.google.internal is a metadata host name'],
    ['localhost', 'localhost is a loopback host name'],
  ])('refuses %s without a lookup', async (host, reason) => {
    await expect(resolveDestination(host, { lookup: never })).rejects.toThrow(
      `destination refused: ${reason}`,
    );
  });

  it('lets the private spellings through with allowPrivate and pins the address they stand for', async () => {
    expect(await resolveDestination('0x7f.1', { allowPrivate: true, lookup: never })).toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(
      resolveDestination('metadata.google.internal', { allowPrivate: true, lookup: never }),
    ).rejects.toThrow('metadata host name');
    await expect(resolveDestination('0xa9fea9fe', { allowPrivate: true, lookup: never })).rejects.toThrow(
      'metadata address 169.254.169.254',
    );
  });
});
