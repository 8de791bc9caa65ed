/**
 * One POST over `node:http`/`node:https` to an address chosen beforehand: the connection goes to
 * `address` (no DNS lookup of its own), while the Host header and TLS server name stay the URL's
 * host — the SSRF guard's check and the connection can never disagree (no DNS rebinding). No
 * redirects are followed (node:http never does), the body read is bounded and redacted before it is
 * cut (bounded-reply.ts), and the signal aborts.
 */

import type { LookupAddress } from 'node:dns';
import { request as requestHttp } from 'node:http';
import { request as requestHttps } from 'node:https';
import { isIP } from 'node:net';
import type { Redactor } from '../../observability/redact.ts';
import type { ResolvedAddress } from '../ssrf-guard.ts';
import { computeReadLimit, finishReplyText } from './bounded-reply.ts';
import type { HttpReply } from './classify-http-reply.ts';

export interface PinnedRequest {
  readonly url: URL;
  readonly address: ResolvedAddress;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
  /** The sink's redactor: the reply body is redacted with it before it is cut. */
  readonly redact: Redactor;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export function postPinned(request: PinnedRequest): Promise<HttpReply> {
  const { url, address } = request;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const pinnedLookup = (_name: string, options: { all?: boolean }, callback: LookupCallback) => {
    if (options?.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
  return new Promise<HttpReply>((resolve, reject) => {
    const options = {
      method: 'POST',
      hostname,
      port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: {
        ...request.headers,
        host: url.host,
        'content-length': String(Buffer.byteLength(request.body)),
      },
      agent: false as const,
      signal: request.signal,
      lookup: pinnedLookup as never,
      ...(https && isIP(hostname) === 0 ? { servername: hostname } : {}),
    };
    const limit = computeReadLimit(request.redact);
    const req = (https ? requestHttps : requestHttp)(options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let finished = false;
      const finish = (truncated: boolean) => {
        if (finished) return;
        finished = true;
        const headers = response.headers;
        resolve({
          status: response.statusCode ?? 0,
          headers: {
            get: (name: string) => {
              const value = headers[name.toLowerCase()];
              return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
            },
          },
          body: finishReplyText(Buffer.concat(chunks).subarray(0, limit), truncated, request.redact),
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (finished) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= limit) {
          finish(true);
          response.destroy();
        }
      });
      response.on('end', () => finish(false));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}
