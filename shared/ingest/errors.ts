/**
 * The errors `normalize` may throw. Anything else escaping a normalizer is a bug (the property tests
 * assert it). Adapters map these to 400; the CLI prints `crosswatch: <source>: <message>` and exits 2.
 */
export class NormalizeError extends Error {
  override name = 'NormalizeError';
  readonly code: 'INVALID_JSON' | 'UNRECOGNIZED_INPUT' | 'INVALID_INPUT';

  constructor(code: NormalizeError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The input is not JSON at all. */
export class InvalidJsonError extends NormalizeError {
  override name = 'InvalidJsonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_JSON', message, options);
  }
}

/** Valid JSON, but no known provider format. */
export class UnrecognizedInputError extends NormalizeError {
  override name = 'UnrecognizedInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNRECOGNIZED_INPUT', message, options);
  }
}

/** A known format whose required field is missing or unusable; `field` is a dotted path. */
export class InvalidInputError extends NormalizeError {
  override name = 'InvalidInputError';
  readonly format: string;
  readonly field: string;
  constructor(format: string, field: string, problem: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', `${format}: field ${field} ${problem}`, options);
    this.format = format;
    this.field = field;
  }
}
