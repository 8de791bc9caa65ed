/**
 * Races a promise against an abort signal, for clients that cannot be cancelled (nodemailer): the
 * attempt ends when the signal fires; the abandoned operation finishes or times out on its own.
 */
export class AttemptAbortedError extends Error {
  override name = 'AttemptAbortedError';
}

export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new AttemptAbortedError('aborted before it started'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AttemptAbortedError('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
