/**
 * SMS: one short line — status and headline — within one segment: 160 characters when every
 * character is in the GSM 03.38 basic set, 70 otherwise (UCS-2). Never splits a surrogate pair.
 */
import type { NotificationMessage } from '../message.ts';
import { truncateText } from './truncate-text.ts';

export const SMS_GSM_LIMIT = 160;
export const SMS_UCS2_LIMIT = 70;

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_SET = new Set(GSM_BASIC);

export function isGsmText(text: string): boolean {
  for (const char of text) if (!GSM_SET.has(char)) return false;
  return true;
}

const LABELS: Readonly<Record<NotificationMessage['action'], string>> = {
  trigger: 'ALERT',
  resolve: 'RESOLVED',
  info: 'INFO',
};

export function renderSmsText(message: NotificationMessage): string {
  const line = `${LABELS[message.action]}: ${message.headline}`.replace(/\s+/g, ' ').trim();
  // The ellipsis is not GSM: cut GSM text with "..." to keep the 160 budget.
  if (isGsmText(line)) return truncateText(line, SMS_GSM_LIMIT, '...');
  return truncateText(line, SMS_UCS2_LIMIT);
}
