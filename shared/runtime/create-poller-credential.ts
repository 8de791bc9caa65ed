/**
 * The pollers' TokenCredential, one rule for every runtime:
 * - a configured service principal with its client secret (resolved from the environment) →
 *   ClientSecretCredential;
 * - a configured service principal without a secret → on AWS, its secret is read from Secrets
 *   Manager or SSM (`clientSecretRef`); elsewhere the platform identity with that client id
 *   (DefaultAzureCredential: a user-assigned managed identity on Azure, the Azure CLI login locally);
 * - no credentials → the platform identity (DefaultAzureCredential), except on AWS, which has none.
 * `@azure/identity` costs ~190 ms of cold start: it is imported only when a poll asks for a token.
 */
import type { TokenCredential } from '@azure/identity';
import type { PollerCredentials } from '../config/crosswatch-config.ts';
import type { ReadSecretOptions, SecretRef } from '../poll/read-secret.ts';

export type CredentialFor = (credentials: PollerCredentials | null) => Promise<TokenCredential>;

export interface PollerCredentialOptions {
  /** false on AWS: there is no Azure platform identity there, every poller needs a service principal. */
  readonly platformIdentity: boolean;
  /** Where a service principal's secret lives when the config has none; throws naming its setting when unset. */
  readonly clientSecretRef?: () => SecretRef;
  readonly secretOptions?: ReadSecretOptions;
}

export function createPollerCredentialFactory(options: PollerCredentialOptions): CredentialFor {
  return async (credentials) => {
    if (credentials === null && !options.platformIdentity)
      throw new TypeError('a poller needs credentials on AWS (there is no Azure platform identity)');
    const { createAzureCredential } = await import('../poll/azure-credential.ts');
    if (credentials?.clientSecret) {
      const identity = await import('@azure/identity');
      return new identity.ClientSecretCredential(
        credentials.tenantId,
        credentials.clientId,
        credentials.clientSecret,
      );
    }
    if (credentials !== null && options.clientSecretRef) {
      return createAzureCredential(
        {
          kind: 'client-secret',
          tenantId: credentials.tenantId,
          clientId: credentials.clientId,
          secret: options.clientSecretRef(),
        },
        options.secretOptions,
      );
    }
    return createAzureCredential(
      credentials ? { kind: 'default', managedIdentityClientId: credentials.clientId } : { kind: 'default' },
    );
  };
}
