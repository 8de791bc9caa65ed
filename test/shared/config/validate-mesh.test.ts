import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/validate-config.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const load = (mesh: unknown, engine?: unknown) =>
  validateConfig(
    { vantage: { id: 'azure-westeurope', cloud: 'azure' }, mesh, ...(engine ? { engine } : {}) },
    'crosswatch.config.json',
  );

describe('the mesh section', () => {
  it('resolves peers and a majority quorum over the vantages they bring', () => {
    const config = load({
      peers: [
        { id: 'aws-eu-west-1', url: 'https://x.lambda-url.eu-west-1.on.aws/api/mesh', secret: SECRET },
        { id: 'self-hosted', secret: SECRET },
      ],
    });
    expect(config.mesh.peers).toEqual([
      {
        id: 'aws-eu-west-1',
        url: 'https://x.lambda-url.eu-west-1.on.aws/api/mesh',
        secret: SECRET,
        statusUrl: null,
      },
      { id: 'self-hosted', url: null, secret: SECRET, statusUrl: null },
    ]);
    expect(config.engine.verdict.quorum).toBe(2);
    // The peers' URLs and secrets are redacted from logs like every other secret.
    expect(config.secrets).toContain(SECRET);
    expect(config.secrets).toContain('https://x.lambda-url.eu-west-1.on.aws/api/mesh');
  });

  it('keeps a quorum set in the engine section', () => {
    expect(
      load({ peers: [{ id: 'aws', secret: SECRET }] }, { verdict: { quorum: 1 } }).engine.verdict.quorum,
    ).toBe(1);
  });

  it.each([
    [
      {
        peers: [
          { id: 'aws', secret: SECRET },
          { id: 'aws', secret: SECRET },
        ],
      },
      'mesh.peers[1].id: "aws" is listed twice',
    ],
    [
      { peers: [{ id: 'azure-westeurope', secret: SECRET }] },
      'mesh.peers[0].id: "azure-westeurope" is this deployment\'s own id',
    ],
    [{ peers: [{ id: 'aws', url: 'https://x/api/mesh' }] }, 'mesh.peers[0].secret: is required with url'],
    [{ peers: [{ id: 'aws' }] }, 'mesh.peers[0]: needs a secret'],
    [
      { peers: [{ id: 'aws', secret: 'not-a-whsec-secret!!' }] },
      'mesh.peers[0].secret: must be whsec_ followed by base64',
    ],
    [{ peers: [{ id: 'aws', secret: SECRET, url: 'ftp://x' }] }, 'mesh.peers[0].url'],
  ])('refuses %j with one line naming the setting', (mesh, message) => {
    expect(() => load(mesh)).toThrow(`crosswatch.config.json: ${message}`);
  });
});
