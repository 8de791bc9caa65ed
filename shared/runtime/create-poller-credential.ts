/**
 * The pollers' TokenCredential, one rule for every runtime:
 * - a configured service principal with its client secret (resolved from the environment) →
 *   ClientSecretCredential;
 * - a configured service principal without a secret → on AWS, its secret is read where the runtime
 *   says (`readClientSecret`: Secrets Manager or SSM); elsewhere the platform identity with that
 *   client id (DefaultAzureCredential: a user-assigned managed identity on Azure, the Azure CLI login
 *   locally);
 * - no credentials → the platform identity (DefaultAzureCredential), except on AWS, which has none.
 * `@azure/identity` costs ~190 ms of cold start: it is imported only when a poll asks for a token.
 */
import type { TokenCredential } from '@azure/identity';
import type { PollerCredentials } from '../config/crosswatch-config.ts';

export type CredentialFor = (credentials: PollerCredentials | null) => Promise<TokenCredential>;

export interface PollerCredentialOptions {
  /** false on AWS: there is no Azure platform identity there, every poller needs a service principal. */
  readonly platformIdentity: boolean;
  /** Reads a service principal's secret when the config has none; throws naming its setting when unset. */
  readonly readClientSecret?: () => Promise<string>;
}

export function createPollerCredentialFactory(options: PollerCredentialOptions): CredentialFor {
  return async (credentials) => {
    if (credentials === null && !options.platformIdentity)
      throw new TypeError('a poller needs credentials on AWS (there is no Azure platform identity)');
    const identity = await import('@azure/identity');
    if (credentials?.clientSecret) {
      return new identity.ClientSecretCredential(
        credentials.tenantId,
        credentials.clientId,
        credentials.clientSecret,
      );
    }
    if (credentials !== null && options.readClientSecret) {
      const secret = await options.readClientSecret();
      return new identity.ClientSecretCredential(credentials.tenantId, credentials.clientId, secret);
    }
    return new identity.DefaultAzureCredential(
      credentials ? { managedIdentityClientId: credentials.clientId } : {},
    );
  };
}
