/**
 * Property tests: whatever JSON arrives, `normalize` returns valid events (or an ignore notice) or
 * throws a typed NormalizeError, and nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NormalizeError } from '../../../shared/ingest/errors.ts';
import { normalizeDocument, normalizeText } from '../../../shared/ingest/normalize.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import { loadInputFixtures } from '../../helpers/input-fixtures.ts';

const now = () => new Date('2026-01-22T10:00:00.000Z');

function checkOutcome(run: () => ReturnType<typeof normalizeDocument>): void {
  let output: ReturnType<typeof normalizeDocument>;
  try {
    output = run();
  } catch (error) {
    expect(error).toBeInstanceOf(NormalizeError);
    expect((error as Error).message.length).toBeGreaterThan(0);
    return;
  }
  for (const event of output.events) assertValidEvent(event);
  if (output.ignored !== undefined) expect(output.events).toEqual([]);
}

type Path = (string | number)[];

function collectPaths(value: unknown, path: Path = [], into: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, Array.isArray(value) ? Number(key) : key];
      into.push(childPath);
      collectPaths(child, childPath, into);
    }
  }
  return into;
}

type Mutation = 'delete' | 'replace' | 'null' | 'stringify' | 'number' | 'empty-string' | 'wrap';

function mutate(document: unknown, path: Path, mutation: Mutation, replacement: unknown): unknown {
  const copy = structuredClone(document);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) {
    // An earlier mutation may have removed or replaced a parent of this path.
    if (parent === null || typeof parent !== 'object') return copy;
    parent = (parent as Record<string | number, unknown>)[key];
  }
  const last = path[path.length - 1];
  if (last === undefined || parent === null || typeof parent !== 'object') return copy;
  const container = parent as Record<string | number, unknown>;
  const current = container[last];
  switch (mutation) {
    case 'delete':
      if (Array.isArray(container) && typeof last === 'number') container.splice(last, 1);
      else delete container[last];
      break;
    case 'replace':
      container[last] = replacement;
      break;
    case 'null':
      container[last] = null;
      break;
    case 'stringify':
      container[last] = JSON.stringify(current);
      break;
    case 'number':
      container[last] = 3;
      break;
    case 'empty-string':
      container[last] = '';
      break;
    case 'wrap':
      container[last] = { value: current, localizedValue: current };
      break;
  }
  return copy;
}

const fixtures = loadInputFixtures();

describe('normalize properties', () => {
  it('arbitrary JSON: events or a typed error, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) =>
        checkOutcome(() => normalizeDocument(value, { now })),
      ),
      { numRuns: 2000 },
    );
  });

  it('arbitrary text: events or a typed error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => checkOutcome(() => normalizeText(text, { now }))),
      { numRuns: 1000 },
    );
  });

  it('arbitrary JSON dressed as each provider envelope: events or a typed error', () => {
    const envelopes = (value: unknown) => [
      { schemaId: 'azureMonitorCommonAlertSchema', data: value },
      {
        schemaId: 'azureMonitorCommonAlertSchema',
        data: { essentials: { monitoringService: 'ServiceHealth' }, alertContext: value },
      },
      {
        schemaId: 'Microsoft.Insights/activityLogs',
        data: { status: 'Activated', context: { activityLog: value } },
      },
      { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: value },
      [{ DetailType: 'AWS Health Event', Detail: JSON.stringify(value) }],
      { id: 'EX1', classification: 'incident', service: 'Exchange Online', status: value },
      { value: [{ type: 'Microsoft.ResourceHealth/events', name: 'AB-CD', properties: value }] },
      { kind: 'crosswatch.probe-result', ...(typeof value === 'object' && value !== null ? value : {}) },
    ];
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        for (const document of envelopes(value)) checkOutcome(() => normalizeDocument(document, { now }));
      }),
      { numRuns: 500 },
    );
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))(
    'mutated %s: events or a typed error',
    (_name, fixture) => {
      const paths = collectPaths(fixture.document);
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              pathIndex: fc.nat(),
              mutation: fc.constantFrom<Mutation>(
                'delete',
                'replace',
                'null',
                'stringify',
                'number',
                'empty-string',
                'wrap',
              ),
              replacement: fc.jsonValue({ maxDepth: 2 }),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          (mutations) => {
            let document = fixture.document;
            for (const { pathIndex, mutation, replacement } of mutations) {
              const path = paths[pathIndex % Math.max(paths.length, 1)];
              if (path) document = mutate(document, path, mutation, replacement);
            }
            checkOutcome(() => normalizeDocument(document, { now }));
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});
