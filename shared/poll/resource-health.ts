/**
 * Polls Azure Resource Health service health events (`Microsoft.ResourceHealth/events`) for each
 * configured subscription through `@azure/arm-resourcehealth` with any TokenCredential
 * (DefaultAzureCredential on Azure, a ClientSecretCredential from AWS). The SDK is imported lazily,
 * only on this path: it costs ~130 ms of cold start (see the performance notes). Its pager follows
 * `nextLink`; items come back flattened, which the Resource Health normalizer accepts as they are.
 */
import type { TokenCredential } from '@azure/identity';
import { azureResourceHealthApiFormat } from '../ingest/azure-resource-health-api.ts';
import { computeEvidence } from '../ingest/normalize.ts';
import { HEALTH_SOURCES, type PollResult, unreachable } from './poll-result.ts';

export const ARM_ENDPOINT = 'https://management.azure.com';

export interface ResourceHealthPollOptions {
  readonly subscriptionIds: readonly string[];
  readonly credential: TokenCredential;
  /** The ARM endpoint (sovereign clouds, tests); default https://management.azure.com. */
  readonly endpoint?: string;
  /** Only events updated since (the SDK's `queryStartTime`, e.g. `2026-11-01`). */
  readonly queryStartTime?: string;
  /** Retries inside the SDK pipeline per request (default 2). */
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  /** Extra trust anchors (PEM) for the endpoint; production leaves this unset. */
  readonly ca?: string;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

type ResourceHealthModule = typeof import('@azure/arm-resourcehealth');
let sdk: Promise<ResourceHealthModule> | undefined;

export async function pollResourceHealth(options: ResourceHealthPollOptions): Promise<PollResult> {
  const source = HEALTH_SOURCES.azureResourceHealth;
  const now = options.now ?? (() => new Date());
  try {
    sdk ??= import('@azure/arm-resourcehealth');
    const { MicrosoftResourceHealth } = await sdk;
    const items: unknown[] = [];
    const signal = AbortSignal.any([
      AbortSignal.timeout(options.timeoutMs ?? 30_000),
      ...(options.signal ? [options.signal] : []),
    ]);
    for (const subscriptionId of options.subscriptionIds) {
      const client = new MicrosoftResourceHealth(options.credential, subscriptionId, {
        endpoint: options.endpoint ?? ARM_ENDPOINT,
        retryOptions: { maxRetries: options.maxRetries ?? 2 },
        ...(options.ca === undefined ? {} : { tlsOptions: { ca: options.ca } }),
      });
      const pages = client.eventsOperations.listBySubscriptionId({
        abortSignal: signal,
        ...(options.queryStartTime === undefined ? {} : { queryStartTime: options.queryStartTime }),
      });
      for await (const item of pages) items.push(item);
    }
    const document = { value: items };
    const result = azureResourceHealthApiFormat.normalize(document, {
      receivedAt: now().toISOString(),
      evidence: computeEvidence(Buffer.from(JSON.stringify(document), 'utf8')),
    });
    return {
      source,
      status: { reachable: true },
      events: result.events,
      notices: result.notices.filter((notice) => !notice.includes('nextLink')),
    };
  } catch (error) {
    return unreachable(source, error);
  }
}
