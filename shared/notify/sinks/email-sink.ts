/**
 * Email over SMTP with nodemailer (imported lazily: only a process that sends mail loads it). One
 * message to every recipient; its Message-ID is derived from the deliveryId, so a retried attempt is
 * recognisably the same message. SMTP 2xx → delivered (the receipt is the Message-ID), 4xx (421,
 * 450, 451, 452) and connection failures → transient, 5xx and authentication failures → permanent.
 * The SMTP host passes the SSRF guard on every send (check-destination.ts; `allowPrivate` admits a
 * private address) and nodemailer connects to the checked address, with the host name kept for TLS.
 */

import { isIP } from 'node:net';
import type { Transporter } from 'nodemailer';
import {
  clipRedacted,
  createRedactor,
  describeSafeError,
  type Redactor,
} from '../../observability/redact.ts';
import { renderEmail, toHeaderLine } from '../render/email-message.ts';
import type { SendResult, Sink } from '../sink.ts';
import type { EmailSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { raceAbort } from './abortable.ts';
import { checkDestinationHost } from './check-destination.ts';

export const SMTP_TIMEOUTS = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 } as const;
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPROTOCOL',
]);

/** Classifies a nodemailer failure by its SMTP reply code, then by its error code. */
export function classifySmtpError(error: unknown, signal: AbortSignal, redact: Redactor): SendResult {
  if (signal.aborted) {
    return {
      outcome: 'transient',
      status: null,
      detail: 'no answer before the attempt was aborted (timeout or shutdown)',
    };
  }
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  const status = typeof responseCode === 'number' ? responseCode : null;
  const detail = `SMTP ${describeSafeError(error, redact)}`;
  if (status !== null && status >= 500) return { outcome: 'permanent', status, detail };
  if (status !== null && status >= 400) return { outcome: 'transient', status, detail };
  if (code === 'EAUTH' || code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'ETLS') {
    return { outcome: 'permanent', status, detail };
  }
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return { outcome: 'transient', status, detail };
  return { outcome: 'transient', status, detail };
}

export function createEmailSink(config: EmailSinkConfig, deps: SinkDeps = {}): Sink {
  const { lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  const policy = { allowPrivate: config.allowPrivate, lookup };
  const host = config.smtp.host.replace(/^\[|\]$/g, '');
  // One transport per checked address: a name that resolves elsewhere later gets a new one.
  let transport: { address: string; mailer: Promise<Transporter> } | undefined;
  const getTransport = (address: string) => {
    if (transport?.address === address) return transport.mailer;
    const mailer = import('nodemailer').then((nodemailer) =>
      nodemailer.createTransport({
        host: address,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        port: config.smtp.port,
        secure: config.smtp.secure ?? config.smtp.port === 465,
        ...(config.smtp.user ? { auth: { user: config.smtp.user, pass: config.smtp.pass ?? '' } } : {}),
        connectionTimeout: SMTP_TIMEOUTS.connectionMs,
        greetingTimeout: SMTP_TIMEOUTS.greetingMs,
        socketTimeout: SMTP_TIMEOUTS.socketMs,
        disableFileAccess: true,
        disableUrlAccess: true,
      }),
    );
    transport = { address, mailer };
    return mailer;
  };
  return {
    name: config.name,
    kind: 'email',
    rateLimit: null,
    async send(message, context) {
      const content = renderEmail(message);
      const checked = await checkDestinationHost(host, policy, redact);
      if (!checked.ok) return checked.result;
      try {
        const mailer = await getTransport(checked.address.address);
        const info = await raceAbort(
          mailer.sendMail({
            from: config.from,
            to: [...config.to],
            subject: content.subject,
            text: content.text,
            html: content.html,
            messageId: `<${context.deliveryId}@crosswatch.invalid>`,
            headers: {
              'X-Crosswatch-Incident': toHeaderLine(message.incidentKey, 200),
              'X-Crosswatch-Decision': message.decisionId,
            },
          }),
          context.signal,
        );
        const response = typeof info.response === 'string' ? info.response : '';
        const status = Number.parseInt(response.slice(0, 3), 10);
        const rejected = Array.isArray(info.rejected) ? info.rejected.length : 0;
        return {
          outcome: 'delivered',
          status: Number.isNaN(status) ? null : status,
          receipt: typeof info.messageId === 'string' ? info.messageId : null,
          detail: `SMTP accepted for ${config.to.length - rejected} of ${config.to.length} recipients: ${clipRedacted(response.replace(/\s+/g, ' '), 200, redact)}`,
        };
      } catch (error) {
        return classifySmtpError(error, context.signal, redact);
      }
    },
  };
}
