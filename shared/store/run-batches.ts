/**
 * Running the requests of one batch operation (`getMany` / `putMany` on a cloud store), which the
 * backend splits into many requests:
 *
 * - `runBounded` runs them with bounded parallelism (a few in flight, never one per item). On a
 *   failure no further request starts, those in flight finish, and the first error is thrown: the
 *   requests that completed stay done (the store ports only batch idempotent writes, so the caller's
 *   retry completes the rest).
 * - `sendUntilProcessed` sends one request and re-sends what the service left unprocessed (DynamoDB's
 *   `UnprocessedKeys` / `UnprocessedItems`: throttling, or a response over its size limit), after a
 *   short exponential backoff. A round that processes nothing counts as stalled; after
 *   `maxStalledRounds` stalled rounds in a row it gives up with StoreUnavailableError. Every other
 *   round processes at least one item, so the number of rounds is bounded either way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from './ports.ts';

export async function runBounded<T>(
  units: readonly T[],
  concurrency: number,
  work: (unit: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < units.length) {
      const index = next++;
      try {
        await work(units[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency), units.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
}

export interface UnprocessedRetry {
  /** Give up after this many rounds in a row that processed nothing. */
  readonly maxStalledRounds: number;
  /** The wait before the first re-send; it doubles with each stalled round, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_UNPROCESSED_RETRY: UnprocessedRetry = {
  maxStalledRounds: 6,
  baseDelayMs: 50,
  maxDelayMs: 1000,
};

/**
 * Sends `request`, then whatever `send` reports as left unprocessed (undefined or empty: all done).
 * `countOf` tells how many items a request holds; `label` names the operation in the error (never
 * credentials).
 */
export async function sendUntilProcessed<R>(
  request: R,
  send: (request: R) => Promise<R | undefined>,
  countOf: (request: R) => number,
  label: string,
  retry: UnprocessedRetry = DEFAULT_UNPROCESSED_RETRY,
): Promise<void> {
  let pending = request;
  let stalled = 0;
  for (let round = 1; ; round++) {
    const sent = countOf(pending);
    const left = await send(pending);
    const remaining = left === undefined ? 0 : countOf(left);
    if (left === undefined || remaining === 0) return;
    stalled = remaining >= sent ? stalled + 1 : 0;
    if (stalled >= retry.maxStalledRounds) {
      throw new StoreUnavailableError(
        `${label}: ${remaining} item(s) still unprocessed after ${round} round(s)`,
      );
    }
    await sleep(Math.min(retry.baseDelayMs * 2 ** stalled, retry.maxDelayMs));
    pending = left;
  }
}
