import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  escapeSlackText,
  renderSlackMessage,
  SLACK_LIMITS,
} from '../../../../shared/notify/render/slack-message.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

type TextObject = { type: string; text: string };

function listTextObjects(payload: ReturnType<typeof renderSlackMessage>): TextObject[] {
  const out: TextObject[] = [];
  for (const block of payload.blocks) {
    if ('text' in block && block.text) out.push(block.text);
    if ('fields' in block && block.fields) out.push(...block.fields);
    if (block.type === 'context') out.push(...block.elements);
  }
  return out;
}

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

describe('renderSlackMessage', () => {
  it('keeps the incoming-webhook shape of the documented samples (a top-level text) and adds blocks', () => {
    const sample = JSON.parse(readFileSync('test/fixtures/slack/simple-text-payload.json', 'utf8')) as {
      text: string;
    };
    const payload = renderSlackMessage(buildMessage());
    expect(typeof sample.text).toBe('string');
    expect(typeof payload.text).toBe('string');
    expect(payload.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(JSON.stringify(payload)).toContain('Azure control plane failing from 3 of 3 vantages');
    const actions = payload.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [{ type: 'button', url: 'https://status.example.com/incidents/probe%3Acontrol-arm' }],
    });
  });

  it('escapes &, <, > and neutralises mrkdwn formatting in untrusted text', () => {
    expect(escapeSlackText('a & b <!channel> <https://evil|click> *bold* _it_ ~s~ `code`')).toBe(
      'a &amp; b &lt;!channel&gt; &lt;https://evil|click&gt; ∗bold∗ ˍitˍ ∼s∼ ˋcodeˋ',
    );
    const hostile = '<!here> *PWNED* _x_ ~y~ `z` <https://evil.example|login> & more';
    const payload = renderSlackMessage(
      buildMessage({
        headline: hostile,
        summary: hostile,
        seen: [hostile],
        likely: [hostile],
        services: [hostile],
      }),
    );
    for (const object of listTextObjects(payload).filter((o) => o.type === 'mrkdwn')) {
      const untrusted = object.text.replace(
        /\*(Seen|Likely|Status|Severity|Verdict|Plane|Services|Regions|Provider acknowledgement|Lead time|Started|Decided)\*/g,
        '',
      );
      expect(untrusted).not.toMatch(/<|>/);
      expect(untrusted).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(untrusted.replace(/^:[a-z_]+: \*|\*$/g, '')).not.toMatch(/[_~`]|\*PWNED/);
    }
    expect(payload.text).not.toContain('<!here>');
    expect(payload.text).toContain('&lt;!here&gt;');
  });

  it('respects every Slack limit with huge text and never splits a surrogate pair or an entity', () => {
    const huge = `${'😀&<'.repeat(30_000)}`;
    const payload = renderSlackMessage(
      buildMessage({
        title: huge,
        headline: huge,
        summary: huge,
        seen: Array.from({ length: 100 }, () => huge),
        likely: [huge],
        services: Array.from({ length: 500 }, (_, i) => `service-${i}`),
        links: Array.from({ length: 40 }, (_, i) => ({ label: huge, url: `https://example.com/${i}` })),
      }),
    );
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(payload.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect(hasLoneSurrogate(payload.text)).toBe(false);
    for (const block of payload.blocks) {
      if (block.type === 'header')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (block.type === 'section' && block.text)
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (block.type === 'section' && block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
        for (const field of block.fields)
          expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
      if (block.type === 'actions') {
        expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.actionsElements);
        for (const button of block.elements)
          expect(button.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
      }
    }
    for (const object of listTextObjects(payload)) {
      expect(hasLoneSurrogate(object.text)).toBe(false);
      // An entity is never cut: every & starts a whole &amp; &lt; or &gt;.
      if (object.type === 'mrkdwn') expect(object.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });
});
