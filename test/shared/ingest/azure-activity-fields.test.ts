import { describe, expect, it } from 'vitest';
import {
  readResourceTypeOf,
  readStringList,
  readSubscriptionOf,
} from '../../../shared/ingest/azure-activity-fields.ts';

describe('activity-log field readers', () => {
  it('readSubscriptionOf / readResourceTypeOf / readStringList', () => {
    expect(readSubscriptionOf('/subscriptions/ABC-1/resourceGroups/rg')).toBe('abc-1');
    expect(readSubscriptionOf('/providers/Microsoft.Management/managementGroups/x')).toBeUndefined();
    expect(
      readResourceTypeOf('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/a/databases/b'),
    ).toBe('Microsoft.Sql/servers/databases');
    expect(readResourceTypeOf('/subscriptions/s')).toBeUndefined();
    expect(readStringList(['/subscriptions/a', null, 2, ''])).toEqual(['/subscriptions/a', '2']);
    expect(readStringList('/subscriptions/a')).toEqual(['/subscriptions/a']);
    expect(readStringList('["/subscriptions/a","/subscriptions/b"]')).toEqual([
      '/subscriptions/a',
      '/subscriptions/b',
    ]);
  });
});
