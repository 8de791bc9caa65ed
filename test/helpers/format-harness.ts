/**
 * Shared scaffolding for the per-format normalizer tests: a fixed receive context and clock, fixture
 * loading from test/fixtures/<source>/<variant>.json, and a harness that normalizes through one
 * format and validates every emitted event (JSON Schema + CloudEvents SDK).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { CrosswatchEvent, ProviderEventData } from '../../shared/event/schema.ts';
import type { FormatResult, InputFormat } from '../../shared/ingest/input-format.ts';
import { assertValidEvent } from './assert-valid-event.ts';

export type Json = Record<string, unknown>;

export const RECEIVED_AT = '2026-01-22T10:00:00.000Z';
export const FORMAT_CONTEXT = { receivedAt: RECEIVED_AT, evidence: null } as const;
export const FIXED_NOW = (): Date => new Date(RECEIVED_AT);

export function readFixtureText(source: string, variant: string): string {
  return readFileSync(new URL(`../fixtures/${source}/${variant}.json`, import.meta.url), 'utf8');
}

export function readFixture(source: string, variant: string): Json {
  return JSON.parse(readFixtureText(source, variant)) as Json;
}

/** The provider data of an event; throws for a probe event. */
export function dataOf(event: CrosswatchEvent | undefined): ProviderEventData {
  if (event === undefined || event.data.provider === 'crosswatch')
    throw new Error('expected a provider event');
  return event.data;
}

/** What `run` threw; fails when it did not throw. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

export interface FormatHarness {
  /** Normalizes through the format and validates every event. */
  normalize(document: unknown): FormatResult;
  /** Exactly one event, not ignored: its provider data. */
  single(document: unknown): ProviderEventData;
}

export function createFormatHarness(
  format: InputFormat,
  context: Parameters<InputFormat['normalize']>[1] = FORMAT_CONTEXT,
): FormatHarness {
  const normalize = (document: unknown): FormatResult => {
    const result = format.normalize(document, context);
    for (const event of result.events) assertValidEvent(event);
    return result;
  };
  return {
    normalize,
    single(document) {
      const result = normalize(document);
      expect(result.ignored).toBeUndefined();
      expect(result.events).toHaveLength(1);
      return dataOf(result.events[0]);
    },
  };
}
