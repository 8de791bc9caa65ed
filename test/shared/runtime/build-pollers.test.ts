/**
 * buildPollers: which pollers a `pollers` configuration yields (nothing is polled here; the pollers
 * themselves are tested against loopback servers in test/shared/poll).
 */
import { describe, expect, it } from 'vitest';
import type { PollersConfig } from '../../../shared/config/crosswatch-config.ts';
import { buildPollers } from '../../../shared/runtime/build-pollers.ts';

const NONE: PollersConfig = {
  schedule: { kind: 'interval', everyMs: 300_000, text: '5m' },
  azureResourceHealth: null,
  m365: null,
  azureStatusFeed: null,
  awsHealth: null,
};
const CREDENTIALS = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'a-client-secret-value',
};

function sourcesOf(pollers: Partial<PollersConfig>): string[] {
  return buildPollers({ pollers: { ...NONE, ...pollers } }, () => new Date()).map((poller) => poller.source);
}

describe('buildPollers', () => {
  it('builds no poller when none is configured', () => {
    expect(sourcesOf({})).toEqual([]);
  });

  it('builds each enabled poller, the AWS Health API included', () => {
    expect(
      sourcesOf({
        azureResourceHealth: {
          enabled: true,
          subscriptionIds: ['00000000-0000-0000-0000-0000000000aa'],
          credentials: null,
        },
        m365: { enabled: true, credentials: CREDENTIALS },
        azureStatusFeed: { enabled: true },
        awsHealth: { enabled: true, organizational: true, region: 'us-east-1' },
      }),
    ).toEqual(['azure-resource-health', 'm365-graph', 'azure-status-feed', 'aws-health-api']);
  });

  it('leaves out a disabled AWS Health API poller', () => {
    expect(sourcesOf({ awsHealth: { enabled: false, organizational: false, region: 'us-east-1' } })).toEqual(
      [],
    );
    expect(sourcesOf({ awsHealth: { enabled: true, organizational: false, region: 'us-east-1' } })).toEqual([
      'aws-health-api',
    ]);
  });
});
