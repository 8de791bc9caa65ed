/**
 * Opens the inbox a runtime makes webhook inputs durable in, from a plain description: the
 * group-commit SQLite file of the local runner, the Azure Storage queue of the Functions app, or the
 * SQS queue of the Lambda handlers. Only the chosen adapter (and its SDK) is loaded. A runtime whose
 * inbox setting is missing describes it as `unavailable`, and the error names the setting on first use.
 */
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import type { EvidenceArchive } from '../store/ports.ts';
import type { Inbox } from './inbox.ts';
import type { SqliteInbox } from './sqlite-inbox.ts';

export interface SqliteInboxSpec {
  readonly kind: 'sqlite';
  readonly path: string;
  readonly durability: 'normal' | 'full';
}

export type InboxSpec =
  | SqliteInboxSpec
  | { readonly kind: 'azure-queue'; readonly connectionString: string; readonly queueName: string }
  | { readonly kind: 'sqs'; readonly queueUrl: string; readonly client?: SQSClientConfig }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** What `openInbox` gives for a spec: the SQLite inbox has more to offer (pending list, retention, stats). */
export type OpenedInbox<S extends InboxSpec> = S extends SqliteInboxSpec ? SqliteInbox : Inbox;

/** The inbox is not configured for this runtime: the message names the missing setting. */
export class InboxUnavailableError extends Error {
  override name = 'InboxUnavailableError';
}

export async function openInbox(
  spec: InboxSpec,
  options: { readonly overflow?: EvidenceArchive | null } = {},
): Promise<Inbox | SqliteInbox> {
  const overflow = options.overflow ? { overflow: options.overflow } : {};
  switch (spec.kind) {
    case 'sqlite': {
      const { createSqliteInbox } = await import('./sqlite-inbox.ts');
      return createSqliteInbox({ path: spec.path, durability: spec.durability });
    }
    case 'azure-queue': {
      const { createAzureQueueInbox } = await import('./azure-queue-inbox.ts');
      return createAzureQueueInbox({
        connectionString: spec.connectionString,
        queueName: spec.queueName,
        ...overflow,
      });
    }
    case 'sqs': {
      const { createSqsInbox } = await import('./sqs-inbox.ts');
      return createSqsInbox({
        queueUrl: spec.queueUrl,
        ...(spec.client ? { client: spec.client } : {}),
        ...overflow,
      });
    }
    case 'unavailable':
      throw new InboxUnavailableError(spec.reason);
  }
}
