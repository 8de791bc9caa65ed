/**
 * Every provider input sample under test/fixtures, parsed. Resource Health REST samples are stored in
 * the azure-rest-api-specs example format; the API's response is their `responses.200.body`.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const INPUT_FIXTURE_SOURCES = [
  'azure-monitor-common',
  'azure-activity-log-webhook',
  'azure-activity-log-record',
  'azure-resource-health-api',
  'aws-health',
  'm365-graph',
  'probe',
] as const;

export interface InputFixture {
  readonly source: (typeof INPUT_FIXTURE_SOURCES)[number];
  readonly name: string;
  readonly document: unknown;
}

function unwrapSpecExample(document: unknown): unknown {
  const body = (document as { responses?: { 200?: { body?: unknown } } } | null)?.responses?.[200]?.body;
  return body ?? document;
}

export function loadInputFixtures(): InputFixture[] {
  const fixtures: InputFixture[] = [];
  for (const source of INPUT_FIXTURE_SOURCES) {
    const folder = new URL(`../fixtures/${source}/`, import.meta.url);
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort()) {
      const document = JSON.parse(readFileSync(new URL(file, folder), 'utf8'));
      fixtures.push({
        source,
        name: `${source}/${file}`,
        document: source === 'azure-resource-health-api' ? unwrapSpecExample(document) : document,
      });
    }
  }
  return fixtures;
}
