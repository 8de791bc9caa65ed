import { describe, expect, it } from 'vitest';
import { renderSmsText, SMS_GSM_LIMIT, SMS_UCS2_LIMIT } from '../../../../shared/notify/render/sms-text.ts';
import { buildMessage } from '../../../helpers/notify-messages.ts';

describe('renderSmsText', () => {
  it('is one line within one GSM segment', () => {
    const sms = renderSmsText(buildMessage({ headline: `${'word '.repeat(100)}\nsecond line` }));
    expect(sms.length).toBeLessThanOrEqual(SMS_GSM_LIMIT);
    expect(sms).not.toContain('\n');
    expect(sms.startsWith('ALERT: ')).toBe(true);
    expect(sms.endsWith('...')).toBe(true);
    expect(renderSmsText(buildMessage())).toBe(
      'ALERT: Azure control plane failing from 3 of 3 vantages, not acknowledged by Microsoft yet',
    );
  });

  it('uses the 70-character UCS-2 budget for non-GSM text without splitting a surrogate pair', () => {
    const sms = renderSmsText(buildMessage({ headline: '😀'.repeat(100), action: 'resolve' }));
    expect(sms.length).toBeLessThanOrEqual(SMS_UCS2_LIMIT);
    expect(sms.startsWith('RESOLVED: ')).toBe(true);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(sms)).toBe(false);
  });
});
