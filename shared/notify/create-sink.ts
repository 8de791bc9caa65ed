/**
 * The sink factory: a validated SinkConfig → a Sink. Every sink it returns is wrapped so that
 *   - `send` never throws (an unexpected exception becomes a `transient` result),
 *   - every `detail` and `receipt` passes through the config's redactor once more, and
 *   - each attempt is logged (sink, kind, deliveryId, attempt, outcome, status, redacted detail).
 * The sink modules themselves are small; heavy SDKs (nodemailer, @aws-sdk/*) load on first send.
 */

import { createRedactor, describeSafeError } from '../observability/redact.ts';
import type { NotificationMessage } from './message.ts';
import type { SendContext, SendResult, Sink } from './sink.ts';
import { listConfigSecrets, type SinkConfig } from './sink-config.ts';
import type { SinkDeps } from './sink-deps.ts';
import { createConsoleSink } from './sinks/console-sink.ts';
import { createEmailSink } from './sinks/email-sink.ts';
import { createFileSink } from './sinks/file-sink.ts';
import { createOpsgenieSink } from './sinks/opsgenie-sink.ts';
import { createPagerDutySink } from './sinks/pagerduty-sink.ts';
import { createSesSink } from './sinks/ses-sink.ts';
import { createSlackSink } from './sinks/slack-sink.ts';
import { createSnsSink } from './sinks/sns-sink.ts';
import { createTeamsSink } from './sinks/teams-sink.ts';
import { createWebhookSink } from './sinks/webhook-sink.ts';

export type {
  ConsoleSinkConfig,
  EmailSinkConfig,
  FileSinkConfig,
  OpsgenieSinkConfig,
  PagerDutySinkConfig,
  SesSinkConfig,
  SinkConfig,
  SlackSinkConfig,
  SnsSinkConfig,
  TeamsSinkConfig,
  WebhookSinkConfig,
} from './sink-config.ts';
export { InvalidSinkConfigError, validateSinkConfig } from './sink-config.ts';
export type { AwsCredentials, SinkDeps, SinkLogger } from './sink-deps.ts';

function buildSink(config: SinkConfig, deps: SinkDeps): Sink {
  switch (config.kind) {
    case 'slack':
      return createSlackSink(config, deps);
    case 'teams':
      return createTeamsSink(config, deps);
    case 'pagerduty':
      return createPagerDutySink(config, deps);
    case 'opsgenie':
      return createOpsgenieSink(config, deps);
    case 'webhook':
      return createWebhookSink(config, deps);
    case 'email':
      return createEmailSink(config, deps);
    case 'ses':
      return createSesSink(config, deps);
    case 'sns':
      return createSnsSink(config, deps);
    case 'file':
      return createFileSink(config, deps);
    case 'console':
      return createConsoleSink(config, deps);
  }
}

export function createSink(config: SinkConfig, deps: SinkDeps = {}): Sink {
  const sink = buildSink(config, deps);
  const redact = createRedactor([
    ...listConfigSecrets(config),
    deps.awsCredentials?.secretAccessKey,
    deps.awsCredentials?.sessionToken,
  ]);
  const clean = (result: SendResult): SendResult =>
    result.outcome === 'delivered'
      ? {
          ...result,
          detail: redact(result.detail),
          receipt: result.receipt === null ? null : redact(result.receipt),
        }
      : { ...result, detail: redact(result.detail) };
  return {
    name: sink.name,
    kind: sink.kind,
    rateLimit: sink.rateLimit,
    async send(message: NotificationMessage, context: SendContext): Promise<SendResult> {
      let result: SendResult;
      try {
        result = clean(await sink.send(message, context));
      } catch (error) {
        result = {
          outcome: 'transient',
          status: null,
          detail: `sink failed unexpectedly: ${describeSafeError(error, redact)}`,
        };
      }
      deps.logger?.info('notify.sink.attempt', {
        sink: sink.name,
        kind: sink.kind,
        deliveryId: context.deliveryId,
        attempt: context.attempt,
        outcome: result.outcome,
        status: result.status,
        ...(result.outcome === 'retry-after' ? { retryAfterMs: result.retryAfterMs } : {}),
        detail: result.detail,
      });
      return result;
    },
  };
}
