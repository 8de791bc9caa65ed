/**
 * readSecret and the poller credential built from it with the real Secrets Manager and SSM clients against moto's
 * server mode on loopback (test/helpers/moto-server.ts).
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearSecretCache, readSecret, SecretUnavailableError } from '../../../shared/poll/read-secret.ts';
import { createPollerCredentialFactory } from '../../../shared/runtime/create-poller-credential.ts';
import { type MotoServer, startMoto } from '../../helpers/moto-server.ts';

let moto: MotoServer;
const options = () => ({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });

beforeAll(async () => {
  moto = await startMoto();
  const secrets = new SecretsManagerClient(options());
  await secrets.send(
    new CreateSecretCommand({ Name: 'crosswatch/azure-sp', SecretString: '{"clientSecret":"sp-secret-1"}' }),
  );
  await secrets.send(new CreateSecretCommand({ Name: 'crosswatch/plain', SecretString: 'plain-secret' }));
  const ssm = new SSMClient(options());
  await ssm.send(
    new PutParameterCommand({ Name: '/crosswatch/azure-sp', Value: 'ssm-secret-2', Type: 'SecureString' }),
  );
}, 60_000);
afterAll(() => moto?.stop());
beforeEach(() => clearSecretCache());

describe('readSecret', () => {
  it('reads a JSON key of a Secrets Manager secret, a plain secret and an SSM SecureString', async () => {
    expect(
      await readSecret(
        { source: 'secrets-manager', secretId: 'crosswatch/azure-sp', jsonKey: 'clientSecret' },
        options(),
      ),
    ).toBe('sp-secret-1');
    expect(await readSecret({ source: 'secrets-manager', secretId: 'crosswatch/plain' }, options())).toBe(
      'plain-secret',
    );
    expect(await readSecret({ source: 'ssm', name: '/crosswatch/azure-sp' }, options())).toBe('ssm-secret-2');
  });

  it('names the reference, never a value, when the JSON key is missing', async () => {
    const attempt = readSecret(
      { source: 'secrets-manager', secretId: 'crosswatch/azure-sp', jsonKey: 'nope' },
      options(),
    );
    await expect(attempt).rejects.toBeInstanceOf(SecretUnavailableError);
    await expect(attempt).rejects.toThrow('secrets-manager:crosswatch/azure-sp has no value');
  });

  it('caches a value for cacheMs', async () => {
    let now = 0;
    const ref = { source: 'ssm', name: '/crosswatch/azure-sp' } as const;
    expect(await readSecret(ref, { ...options(), now: () => now })).toBe('ssm-secret-2');
    // A stopped endpoint would fail: the cached value answers without a round trip.
    expect(await readSecret(ref, { ...options(), endpoint: 'http://127.0.0.1:1', now: () => now })).toBe(
      'ssm-secret-2',
    );
    now = 10 * 60_000;
    await expect(
      readSecret(ref, { ...options(), endpoint: 'http://127.0.0.1:1', now: () => now }),
    ).rejects.toThrow();
  });
});

describe('a poller credential whose secret comes from readSecret (the AWS rule)', () => {
  const principal = {
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    clientId: '11111111-2222-3333-4444-555555555555',
    clientSecret: null,
  };

  it('builds a ClientSecretCredential whose secret comes from Secrets Manager', async () => {
    const credentialFor = createPollerCredentialFactory({
      platformIdentity: false,
      readClientSecret: () =>
        readSecret(
          { source: 'secrets-manager', secretId: 'crosswatch/azure-sp', jsonKey: 'clientSecret' },
          options(),
        ),
    });
    expect(await credentialFor(principal)).toBeInstanceOf(ClientSecretCredential);
  });

  it('fails with the service error when the parameter does not exist', async () => {
    const credentialFor = createPollerCredentialFactory({
      platformIdentity: false,
      readClientSecret: () => readSecret({ source: 'ssm', name: '/missing' }, options()),
    });
    await expect(credentialFor(principal)).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it('refuses to poll without a service principal where there is no platform identity', async () => {
    await expect(createPollerCredentialFactory({ platformIdentity: false })(null)).rejects.toThrow(
      'a poller needs credentials on AWS',
    );
  });
});
