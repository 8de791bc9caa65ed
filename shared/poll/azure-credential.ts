/**
 * Builds the TokenCredential the pollers use. On Azure: DefaultAzureCredential (managed identity,
 * optionally a user-assigned one). From AWS: a ClientSecretCredential for a service principal whose
 * secret is read from Secrets Manager or SSM (read-secret.ts). `@azure/identity` costs ~190 ms of
 * cold start, so it is imported here lazily, only when a poll needs a token.
 */
import type { TokenCredential } from '@azure/identity';
import { type ReadSecretOptions, readSecret, type SecretRef } from './read-secret.ts';

export type AzureCredentialConfig =
  | { readonly kind: 'default'; readonly managedIdentityClientId?: string }
  | {
      readonly kind: 'client-secret';
      readonly tenantId: string;
      readonly clientId: string;
      /** Where the client secret lives (never the secret itself in config). */
      readonly secret: SecretRef;
      /** Entra authority host (sovereign clouds); default login.microsoftonline.com. */
      readonly authorityHost?: string;
    };

export async function createAzureCredential(
  config: AzureCredentialConfig,
  secretOptions: ReadSecretOptions = {},
): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  if (config.kind === 'default') {
    return new identity.DefaultAzureCredential(
      config.managedIdentityClientId === undefined
        ? {}
        : { managedIdentityClientId: config.managedIdentityClientId },
    );
  }
  const secret = await readSecret(config.secret, secretOptions);
  return new identity.ClientSecretCredential(
    config.tenantId,
    config.clientId,
    secret,
    config.authorityHost === undefined ? {} : { authorityHost: config.authorityHost },
  );
}
