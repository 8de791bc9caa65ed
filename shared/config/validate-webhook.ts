/** The `webhook` section: shared tokens, Entra ID bearer settings, signing secrets and limits. */
import type { WebhookConfig } from '../webhook/webhook-config.ts';
import type { WebhookInput } from './config-document.ts';

export function validateWebhook(webhook: WebhookInput): WebhookConfig {
  return {
    tokens: webhook.tokens,
    entra: webhook.entra
      ? {
          tenantId: webhook.entra.tenantId,
          audience: webhook.entra.audience,
          allowedAppIds: webhook.entra.allowedAppIds,
          ...(webhook.entra.jwksUrl ? { jwksUrl: webhook.entra.jwksUrl } : {}),
        }
      : null,
    standardWebhookSecrets: webhook.standardWebhookSecrets,
    maxBodyBytes: webhook.maxBodyBytes,
    allowedSubscriptionIds: webhook.allowedSubscriptionIds,
  };
}
