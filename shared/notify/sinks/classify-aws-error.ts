/**
 * Classifies an AWS SDK v3 failure (SES v2, SNS): throttling → retry-after when the answer names a
 * delay, transient otherwise (SES asks to wait and retry); 5xx, 408, timeouts, network and
 * credential-provider failures → transient; every other 4xx (MessageRejected, InvalidParameter,
 * AuthorizationError, NotFound …) → permanent. The SDK's own retries are off (maxAttempts 1).
 */
import { describeSafeError, type Redactor } from '../../observability/redact.ts';
import type { SendResult } from '../sink.ts';
import { parseRetryAfter } from './retry-after.ts';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

interface AwsErrorShape {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

export function classifyAwsError(
  error: unknown,
  signal: AbortSignal,
  redact: Redactor,
  now: Date,
): SendResult {
  if (signal.aborted) {
    return {
      outcome: 'transient',
      status: null,
      detail: 'no answer before the attempt was aborted (timeout or shutdown)',
    };
  }
  const shape = (error ?? {}) as AwsErrorShape;
  const status = shape.$metadata?.httpStatusCode ?? null;
  const name = shape.name ?? 'Error';
  const detail = `${status === null ? '' : `HTTP ${status} `}${describeSafeError(error, redact)}`;
  if (THROTTLING.has(name) || status === 429) {
    const retryAfter = parseRetryAfter(shape.$response?.headers?.['retry-after'], now);
    return retryAfter === null
      ? { outcome: 'transient', status, detail }
      : { outcome: 'retry-after', status, retryAfterMs: retryAfter, detail };
  }
  if (status === null || status === 408 || status >= 500) return { outcome: 'transient', status, detail };
  return { outcome: 'permanent', status, detail };
}
