/**
 * An Entra tenant stand-in for secure-webhook tests: RS256 keys made with jose, tokens signed like
 * Azure Monitor's (v2 issuer, the AZNS app as `azp`, the ActionGroupsSecureWebhook role), and a
 * real loopback HTTP server serving the JWKS whose behaviour a test switches: the key set, HTTP 500,
 * a body that is not JSON, JSON that is not a key set.
 */
import type { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { AZNS_WEBHOOK_APP_ID, SECURE_WEBHOOK_ROLE } from '../../shared/webhook/entra-webhook-token.ts';
import { type Loopback, startHttpServer } from './loopback-servers.ts';

export const ENTRA_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const ENTRA_CLIENT_ID = 'a5b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

export type JwksMode = 'keys' | 'http-500' | 'not-json' | 'not-a-key-set';

export interface EntraKeys {
  /** Signs with the key the JWKS publishes (kid `key-1`) unless told otherwise. */
  signToken(
    at: Date,
    claims?: Record<string, unknown>,
    options?: { readonly key?: 'published' | 'stranger'; readonly kid?: string },
  ): Promise<string>;
  readonly jwks: { readonly keys: readonly JWK[] };
}

export async function createEntraKeys(): Promise<EntraKeys> {
  const published = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    signToken(at, claims = {}, options = {}) {
      const seconds = Math.floor(at.getTime() / 1000);
      const key: webcrypto.CryptoKey =
        options.key === 'stranger' ? stranger.privateKey : published.privateKey;
      return new SignJWT({
        aud: `api://${ENTRA_CLIENT_ID}`,
        iss: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`,
        azp: AZNS_WEBHOOK_APP_ID,
        roles: [SECURE_WEBHOOK_ROLE],
        tid: ENTRA_TENANT,
        exp: seconds + 3600,
        nbf: seconds - 60,
        iat: seconds - 60,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1', typ: 'JWT' })
        .sign(key);
    },
  };
}

export interface JwksServer extends Loopback {
  /** The JWKS URL on this server. */
  readonly jwksUrl: string;
  /** What the server answers from now on. */
  mode: JwksMode;
  /** Requests served so far. */
  readonly requests: number;
}

export async function startJwksServer(keys: EntraKeys): Promise<JwksServer> {
  let requests = 0;
  const state = { mode: 'keys' as JwksMode };
  const server = await startHttpServer((_request, response) => {
    requests++;
    switch (state.mode) {
      case 'keys':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(keys.jwks));
        return;
      case 'http-500':
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('upstream error');
        return;
      case 'not-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"keys": [ {"kty": "RSA"');
        return;
      case 'not-a-key-set':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"keys":"none today"}');
        return;
    }
  });
  return {
    ...server,
    jwksUrl: `${server.url}/${ENTRA_TENANT}/discovery/v2.0/keys`,
    get mode() {
      return state.mode;
    },
    set mode(mode: JwksMode) {
      state.mode = mode;
    },
    get requests() {
      return requests;
    },
  };
}
