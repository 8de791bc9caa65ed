/**
 * Reads a request body up to a byte limit, counting bytes as they stream in (a chunked body without
 * Content-Length included): the first chunk that crosses the limit stops the read, and a declared
 * Content-Length over the limit is refused before a byte is read.
 */

export type RequestBody = Uint8Array | AsyncIterable<Uint8Array>;

/** The body is larger than the limit (HTTP 413 at the edge). */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`the body exceeds ${limit} bytes`);
  }
}

/** The body stream failed (client went away): nothing was accepted. */
export class BodyReadError extends Error {
  override name = 'BodyReadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function stopIterator(iterator: AsyncIterator<Uint8Array>): void {
  // Ask the source to stop producing (destroys a Node stream); never wait on it.
  void Promise.resolve(iterator.return?.()).catch(() => undefined);
}

/** A Node readable stream (an http.IncomingMessage): read with events, cheaper than its async iterator. */
interface EventedReadable extends AsyncIterable<Uint8Array> {
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  destroy(error?: Error): unknown;
  readonly readableEnded?: boolean;
}

function isEventedReadable(body: RequestBody): body is EventedReadable {
  const candidate = body as Partial<EventedReadable>;
  return (
    typeof candidate.on === 'function' &&
    typeof candidate.pause === 'function' &&
    typeof candidate.off === 'function'
  );
}

function readEvented(stream: EventedReadable, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.byteLength;
      if (total > limit) {
        cleanup();
        // Stop reading: the caller answers 413 and closes the connection.
        stream.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new BodyReadError('the request body could not be read', { cause: error }));
    };
    const onClose = () => {
      cleanup();
      reject(new BodyReadError('the request body ended early'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

export async function readLimitedBody(
  body: RequestBody,
  limit: number,
  declaredLength?: string | undefined,
): Promise<Uint8Array> {
  if (declaredLength !== undefined && /^\d+$/.test(declaredLength.trim()) && Number(declaredLength) > limit) {
    if (!(body instanceof Uint8Array)) {
      const iterator = body[Symbol.asyncIterator]();
      stopIterator(iterator);
    }
    throw new BodyTooLargeError(limit);
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength > limit) throw new BodyTooLargeError(limit);
    return body;
  }
  if (isEventedReadable(body)) return readEvented(body, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const iterator = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      total += chunk.byteLength;
      if (total > limit) {
        stopIterator(iterator);
        throw new BodyTooLargeError(limit);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    throw new BodyReadError('the request body could not be read', { cause: error });
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total);
}
