import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  deriveOpsgenieAlias,
  OPSGENIE_LIMITS,
  renderOpsgenieClose,
  renderOpsgenieCreate,
} from '../../../../shared/notify/render/opsgenie-alert.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

describe('Opsgenie rendering', () => {
  it('creates an alert with the fields of the (reconstructed) documented request', () => {
    const fixture = JSON.parse(
      readFileSync('test/fixtures/opsgenie/create-alert-request-reconstructed.json', 'utf8'),
    );
    const alert = renderOpsgenieCreate(buildMessage());
    for (const key of ['message', 'alias', 'description', 'tags', 'details', 'entity', 'priority']) {
      expect(fixture).toHaveProperty(key);
      expect(alert).toHaveProperty(key);
    }
    expect(alert).toMatchObject({ alias: 'probe:control-arm', priority: 'P1', source: 'crosswatch' });
    expect(Object.values(alert.details).every((value) => typeof value === 'string')).toBe(true);
    expect(alert.description).toContain('Azure control plane failing from 3 of 3 vantages');
  });

  it('closes with the documented close body', () => {
    const fixture = JSON.parse(
      readFileSync('test/fixtures/opsgenie/close-alert-request-reconstructed.json', 'utf8'),
    );
    expect(Object.keys(renderOpsgenieClose(buildMessage())).sort()).toEqual(Object.keys(fixture).sort());
  });

  it('bounds alias, message, description and tags', () => {
    const message = buildMessage({
      incidentKey: `probe:${'k'.repeat(994)}`,
      title: 't'.repeat(1_000),
      summary: '😀'.repeat(20_000),
      category: 'c'.repeat(200),
    });
    const alert = renderOpsgenieCreate(message);
    expect(alert.alias.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.alias);
    expect(alert.alias).toBe(deriveOpsgenieAlias(message.incidentKey));
    expect(alert.message.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.message);
    expect(alert.description.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.description);
    expect(/[\ud800-\udbff]$/.test(alert.description.slice(0, -1))).toBe(false);
    for (const tag of alert.tags) expect(tag.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.tag);
  });
});
