/**
 * The contract every provider format implements. detect.ts holds the ordered dispatch table.
 */
import type { CrosswatchEvent, Evidence } from '../event/schema.ts';
import type { Origin } from '../event/vocabulary.ts';

export interface NormalizeContext {
  /** When crosswatch received the input (ISO UTC): the fallback for missing provider times. */
  readonly receivedAt: string;
  /** Pointer to the raw input, or null when the caller passed parsed JSON without its bytes. */
  readonly evidence: Evidence | null;
}

export interface FormatResult {
  readonly events: CrosswatchEvent[];
  /** Set when the input is a recognized format that crosswatch deliberately ignores (metric alerts…). */
  readonly ignored?: string;
  /** Non-fatal remarks about the input (a skipped list item, an unknown enum value kept as is). */
  readonly notices: string[];
}

export interface InputFormat {
  readonly id: Origin;
  /** A cheap structural test on parsed JSON. Must not throw. */
  matches(document: unknown): boolean;
  /** Must return a result or throw a NormalizeError subclass; nothing else. */
  normalize(document: unknown, context: NormalizeContext): FormatResult;
}
