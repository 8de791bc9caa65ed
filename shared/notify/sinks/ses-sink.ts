/**
 * Email through Amazon SES v2 (`SendEmail`, simple content: subject, text and HTML). The SDK is
 * imported lazily and built once with its retries off — the outbox retries. Sends one message to all
 * recipients (≤ 50); the receipt is SES's MessageId.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createRedactor } from '../../observability/redact.ts';
import { renderEmail, toHeaderLine } from '../render/email-message.ts';
import type { Sink } from '../sink.ts';
import type { SesSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyAwsError } from './classify-aws-error.ts';
import { BACKSTOP_TIMEOUT_MS } from './post-json.ts';

export function createSesSink(config: SesSinkConfig, deps: SinkDeps = {}): Sink {
  const { now } = resolveSinkDeps(deps);
  const redact = createRedactor([
    ...listConfigSecrets(config),
    deps.awsCredentials?.secretAccessKey,
    deps.awsCredentials?.sessionToken,
  ]);
  let client: Promise<{ client: SESv2Client; module: typeof import('@aws-sdk/client-sesv2') }> | undefined;
  const getClient = () => {
    client ??= import('@aws-sdk/client-sesv2').then((module) => ({
      module,
      client: new module.SESv2Client({
        region: config.region,
        maxAttempts: 1,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(deps.awsCredentials ? { credentials: deps.awsCredentials } : {}),
      }),
    }));
    return client;
  };
  return {
    name: config.name,
    kind: 'ses',
    rateLimit: null,
    async send(message, context) {
      const content = renderEmail(message);
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(BACKSTOP_TIMEOUT_MS)]);
      try {
        const { client: ses, module } = await getClient();
        const output = await ses.send(
          new module.SendEmailCommand({
            FromEmailAddress: config.from,
            Destination: { ToAddresses: [...config.to] },
            Content: {
              Simple: {
                Subject: { Data: content.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: content.text, Charset: 'UTF-8' },
                  Html: { Data: content.html, Charset: 'UTF-8' },
                },
                Headers: [
                  { Name: 'X-Crosswatch-Incident', Value: toHeaderLine(message.incidentKey, 200) },
                  { Name: 'X-Crosswatch-Delivery', Value: toHeaderLine(context.deliveryId, 200) },
                ],
              },
            },
          }),
          { abortSignal: signal },
        );
        return {
          outcome: 'delivered',
          status: output.$metadata.httpStatusCode ?? null,
          receipt: output.MessageId ?? null,
          detail: `SES accepted the message for ${config.to.length} recipient(s)`,
        };
      } catch (error) {
        return classifyAwsError(error, signal, redact, now());
      }
    },
  };
}
