/**
 * The SSRF guard (ssrf-guard.ts) as a sink uses it: a destination URL or host checked with the
 * sink's `allowInsecure` and `allowPrivate`, turned into the one address to connect to, or into the
 * attempt's result — a refusal is `permanent` (no retry can help) and says which setting would admit
 * it; a DNS failure is `transient`. Nothing is connected to before the check passes.
 */
import { describeSafeError, type Redactor } from '../../observability/redact.ts';
import type { SendResult } from '../sink.ts';
import {
  DestinationLookupError,
  DestinationRefusedError,
  isPrivateRefusal,
  type LookupFunction,
  type ResolvedAddress,
  resolveDestination,
} from '../ssrf-guard.ts';

export interface DestinationPolicy {
  /** Allow http:// (local testing). */
  readonly allowInsecure?: boolean | undefined;
  /** Allow loopback, private, CGNAT and link-local destinations (never metadata addresses). */
  readonly allowPrivate?: boolean | undefined;
  /** DNS resolution (all addresses of a name); the system resolver by default. */
  readonly lookup?: LookupFunction | undefined;
}

export type CheckedHost =
  | { readonly ok: true; readonly address: ResolvedAddress }
  | { readonly ok: false; readonly result: SendResult };

export type CheckedUrl =
  | { readonly ok: true; readonly url: URL; readonly address: ResolvedAddress }
  | { readonly ok: false; readonly result: SendResult };

/** Resolves `host` (a name or an IP literal) and checks every address; the first one is returned. */
export async function checkDestinationHost(
  host: string,
  policy: DestinationPolicy,
  redact: Redactor,
): Promise<CheckedHost> {
  try {
    const address = await resolveDestination(host, {
      ...(policy.lookup ? { lookup: policy.lookup } : {}),
      allowPrivate: policy.allowPrivate === true,
    });
    return { ok: true, address };
  } catch (error) {
    if (error instanceof DestinationRefusedError) {
      const hint = isPrivateRefusal(error) ? ' (set allowPrivate to allow a private destination)' : '';
      return {
        ok: false,
        result: { outcome: 'permanent', status: null, detail: redact(`refused: ${error.reason}${hint}`) },
      };
    }
    const what = error instanceof DestinationLookupError ? error.message : 'lookup failed';
    return {
      ok: false,
      result: {
        outcome: 'transient',
        status: null,
        detail: `${redact(what)}: ${describeSafeError((error as Error).cause ?? error, redact)}`,
      },
    };
  }
}

/** Parses `url`, refuses http:// unless allowed, then checks its host as checkDestinationHost does. */
export async function checkDestinationUrl(
  url: string,
  policy: DestinationPolicy,
  redact: Redactor,
): Promise<CheckedUrl> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      ok: false,
      result: { outcome: 'permanent', status: null, detail: 'refused: the URL does not parse' },
    };
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && policy.allowInsecure)) {
    return {
      ok: false,
      result: {
        outcome: 'permanent',
        status: null,
        detail: `refused: ${parsed.protocol} is not https (set allowInsecure for local testing)`,
      },
    };
  }
  const checked = await checkDestinationHost(parsed.hostname, policy, redact);
  return checked.ok ? { ok: true, url: parsed, address: checked.address } : checked;
}
