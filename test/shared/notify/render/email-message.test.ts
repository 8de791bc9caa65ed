import { describe, expect, it } from 'vitest';
import { escapeHtml, renderEmail } from '../../../../shared/notify/render/email-message.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

describe('renderEmail', () => {
  it('escapes HTML, keeps the subject on one line and shows seen and likely', () => {
    const email = renderEmail(
      buildMessage({
        title: '[OPEN] x\r\nBcc: victim@example.com',
        summary: '<script>alert(1)</script> & "q"',
      }),
    );
    expect(email.subject).toBe('[crosswatch] [OPEN] x Bcc: victim@example.com');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;');
    expect(email.text).toContain('Seen:');
    expect(email.text).toContain('Likely:');
    expect(email.html).toContain(
      '<a href="https://status.example.com/incidents/probe%3Acontrol-arm">Status page</a>',
    );
    expect(escapeHtml(`'`)).toBe('&#39;');
  });
});
