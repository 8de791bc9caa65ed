/**
 * The rendered card is parsed by the `adaptivecards` library. Its `lib/` build is ESM with
 * extension-less imports that Node cannot load, so the test loads the library's UMD bundle
 * (`dist/adaptivecards.js`) through require; parsing and validation need no DOM (no jsdom).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  escapeCardText,
  renderTeamsMessage,
  TEAMS_MAX_BYTES,
} from '../../../../shared/notify/render/teams-message.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

function parseCard(content: unknown): { card: AdaptiveCards.AdaptiveCard; problems: string[] } {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(content, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const event of card.validateProperties().validationEvents) problems.push(event.message);
  return { card, problems };
}

describe('renderTeamsMessage', () => {
  it('has the documented Workflows envelope shape and a card the adaptivecards library accepts', () => {
    const fixture = JSON.parse(
      readFileSync('test/fixtures/teams/adaptive-card-message-envelope.json', 'utf8'),
    );
    const envelope = renderTeamsMessage(buildMessage());
    expect(Object.keys(envelope).sort()).toEqual(Object.keys(fixture).sort());
    expect(envelope.type).toBe(fixture.type);
    expect(Object.keys(envelope.attachments[0]).sort()).toEqual(Object.keys(fixture.attachments[0]).sort());
    expect(envelope.attachments[0].contentType).toBe(fixture.attachments[0].contentType);
    expect(envelope.attachments[0].contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
    const content = envelope.attachments[0].content;
    expect(content.type).toBe('AdaptiveCard');
    const { card, problems } = parseCard(JSON.parse(JSON.stringify(content)));
    expect(problems).toEqual([]);
    expect(card.getItemCount()).toBe(content.body.length);
    expect(card.version.toString()).toBe('1.4');
    expect(card.getActionCount()).toBe(1);
    expect(JSON.stringify(content)).toContain('Azure control plane failing from 3 of 3 vantages');
  });

  it('stays valid and within 28 KB with a 100 KB summary (the summary is cut to fit)', () => {
    const summary = 'Impact statement. '.repeat(6_000) + '😀'.repeat(1_000);
    expect(Buffer.byteLength(summary)).toBeGreaterThan(100_000);
    const envelope = renderTeamsMessage(buildMessage({ summary }));
    const bytes = Buffer.byteLength(JSON.stringify(envelope));
    expect(bytes).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(bytes).toBeLessThanOrEqual(28 * 1024);
    // The summary is kept as far as it fits, not dropped.
    expect(bytes).toBeGreaterThan(TEAMS_MAX_BYTES - 2_000);
    const { problems } = parseCard(envelope.attachments[0].content);
    expect(problems).toEqual([]);
    expect(JSON.stringify(envelope)).toContain('…');
  });

  it('escapes markdown links, emphasis and template functions in untrusted text', () => {
    expect(escapeCardText('[click](https://evil) **b** _i_ {{DATE(2017-02-14T06:08:39Z)}}')).toBe(
      '\\[click\\]\\(https://evil\\) \\*\\*b\\*\\* \\_i\\_ {\u200b{DATE\\(2017-02-14T06:08:39Z\\)}\u200b}',
    );
    expect(escapeCardText('- not a list\n1. nor this')).toBe('\\- not a list\n1\\. nor this');
    const envelope = renderTeamsMessage(buildMessage({ headline: '[pwn](https://evil.example)' }));
    expect(JSON.stringify(envelope)).not.toContain('[pwn](https://evil.example)');
  });
});
