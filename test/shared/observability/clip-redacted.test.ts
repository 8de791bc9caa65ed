/**
 * Redact before cutting: a secret that straddles a cut must not leave its first characters behind.
 * Property tests (fast-check) place a secret of varying length at every offset from limit-40 to
 * limit+40 and check that no prefix of it of 4 or more characters is in the result: through
 * clipRedacted (what describeSafeError, summarizeBody and the outbox's detail clip use) and through
 * the bounded read of a sink's reply (readBoundedText over a real `Response` with random chunking).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REPLY_BYTES } from '../../../shared/notify/sinks/bounded-reply.ts';
import { readBoundedText, summarizeBody } from '../../../shared/notify/sinks/post-json.ts';
import {
  clipRedacted,
  createRedactor,
  dropPartialSecret,
  listUrlSecrets,
  REDACTED,
} from '../../../shared/observability/redact.ts';

/** A secret: letters, digits, `-` and `_`, 4-80 chars, whose start is not part of `[redacted]`. */
const secretArbitrary = fc
  .stringMatching(/^[A-Za-z0-9_-]{4,80}$/)
  .filter((secret) => !REDACTED.includes(secret.slice(0, 4)));
/** Filler that shares no character with any secret. */
const fillerArbitrary = fc.constantFrom(' ', '.', '\n', '#', ' \t');

/** No prefix of `secret` of 4 or more characters: enough to check that its first 4 are absent. */
function expectNoPartialSecret(text: string, secret: string): void {
  expect(text).not.toContain(secret.slice(0, 4));
}

/** A body streamed in chunks cut at the given points (a real web Response, as fetch returns). */
function respondInChunks(body: string, cuts: readonly number[]): Response {
  const bytes = Buffer.from(body, 'utf8');
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    }),
  );
}

describe('clipRedacted', () => {
  it('redacts first, so a secret across the cut never leaves a prefix (every offset limit±40)', () => {
    fc.assert(
      fc.property(
        secretArbitrary,
        fillerArbitrary,
        fc.constantFrom(200, 500, 8192),
        fc.nat(60),
        (secret, filler, max, tail) => {
          for (let offset = max - 40; offset <= max + 40; offset++) {
            const text = `${filler.repeat(offset).slice(0, offset)}${secret}${' '.repeat(tail)}`;
            const clipped = clipRedacted(text, max, [secret]);
            expect(clipped.length).toBeLessThanOrEqual(max);
            expectNoPartialSecret(clipped, secret);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('drops a tail that is the start of a secret at the cut, never a shorter one than 4 characters', () => {
    expect(dropPartialSecret('reply: SENT', ['SENTINEL-SECRET'])).toBe('reply: ');
    expect(dropPartialSecret('reply: SEN', ['SENTINEL-SECRET'])).toBe('reply: SEN');
    expect(dropPartialSecret('a [redac', [])).toBe('a ');
    expect(dropPartialSecret('emoji \ud83d', [])).toBe('emoji ');
    // A stopped read: the text is already a cut, so its end is checked even within the limit.
    expect(clipRedacted('short SENTINEL-SEC', 100, ['SENTINEL-SECRET'], { truncated: true })).toBe('short …');
    expect(clipRedacted('short SENTINEL-SEC', 100, ['SENTINEL-SECRET'])).toBe('short SENTINEL-SEC');
  });

  it('is what describeSafeError cuts with', async () => {
    const { describeSafeError } = await import('../../../shared/observability/redact.ts');
    const secret = 'SENTINEL-SECRET-9f3a';
    const error = new Error(`${'x'.repeat(490)} ${secret}`);
    const line = describeSafeError(error, createRedactor([secret]));
    expect(line.length).toBeLessThanOrEqual(500);
    expectNoPartialSecret(line, secret);
  });
});

describe('a sink reply read up to its bound', () => {
  it('holds no prefix of a secret placed at any offset from the bound-40 to the bound+40', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArbitrary,
        fillerArbitrary,
        fc.array(fc.nat(MAX_REPLY_BYTES * 2), { maxLength: 6 }),
        fc.nat(300),
        async (secret, filler, cuts, tail) => {
          const redact = createRedactor([secret]);
          for (let offset = MAX_REPLY_BYTES - 40; offset <= MAX_REPLY_BYTES + 40; offset++) {
            const body = `${filler.repeat(offset).slice(0, offset)}${secret}${'.'.repeat(tail)}`;
            const text = await readBoundedText(respondInChunks(body, cuts), redact);
            expect(text.length).toBeLessThanOrEqual(MAX_REPLY_BYTES);
            expectNoPartialSecret(text, secret);
            expectNoPartialSecret(summarizeBody(text, redact), secret);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('redacts the parts of a webhook URL the same way (the issue: 8,180 spaces, then the secret)', async () => {
    const url = 'https://hooks.slack.com/services/T000/B000/SENTINELxSECRETx0123';
    const redact = createRedactor(listUrlSecrets(url));
    for (const secret of ['SENTINELxSECRETx0123', url, '/services/T000/B000/SENTINELxSECRETx0123']) {
      const body = `${' '.repeat(8_180)}${secret}`;
      const text = await readBoundedText(new Response(body), redact);
      expect(summarizeBody(text, redact)).toBe(REDACTED);
    }
  });

  it('drops a secret cut by the read bound itself, after redaction shortened the text', async () => {
    // Long secrets replaced by the 10-character marker pull the end of the read below the bound.
    const secret = `SENTINEL${'s'.repeat(400)}`;
    const redact = createRedactor([secret]);
    const head = `${secret} `.repeat(20);
    const readLimit = MAX_REPLY_BYTES + secret.length + 1024;
    const body = `${head}${'.'.repeat(readLimit - head.length - 6)}${secret}`;
    const text = await readBoundedText(new Response(body), redact);
    expect(text.length).toBeLessThan(MAX_REPLY_BYTES);
    expectNoPartialSecret(text, secret);
  });
});
