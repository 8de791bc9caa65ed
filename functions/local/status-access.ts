/**
 * Who may read GET /api/status (open incidents, titles, metrics). Bound to loopback: any local
 * client whose Host header names loopback — a page on another origin that rebinds its DNS name to
 * 127.0.0.1 sends its own name as Host and is refused. Bound to any other address: only a caller
 * presenting a webhook token (`?token=`).
 */
import { verifyWebhookToken } from '../../shared/webhook/webhook-token.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host part of a Host header (`127.0.0.1:7071` → `127.0.0.1`, `[::1]:7071` → `[::1]`). */
function readHostName(header: string | undefined): string {
  if (!header) return '';
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  return trimmed.split(':')[0] ?? '';
}

export function canReadStatus(
  bindHost: string,
  request: { readonly hostHeader: string | undefined; readonly token: string | null },
  tokens: readonly string[],
): boolean {
  if (isLoopbackHost(bindHost)) return isLoopbackHost(readHostName(request.hostHeader));
  return verifyWebhookToken(request.token, tokens);
}
