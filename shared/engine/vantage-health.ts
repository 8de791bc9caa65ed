/**
 * Vantage health: each vantage probes control targets outside Microsoft (`target.control`). When
 * most of its fresh control results fail, the vantage itself is impaired — our network, not the
 * provider — and its failures of other targets are not counted (`suppressed`, vantage-impaired).
 * One document per vantage in the `vantages` collection.
 */
import type { ProbeCloudEvent } from '../event/schema.ts';
import { type StateStore, updateItem } from '../store/ports.ts';
import { COLLECTIONS } from './engine-collections.ts';

export interface ControlResult {
  readonly outcome: string;
  readonly at: string;
}

export interface VantageHealth {
  readonly vantageId: string;
  readonly controls: Record<string, ControlResult>;
}

/** Impaired when more than half of the fresh, conclusive control results are `down`. */
export function isImpaired(health: VantageHealth, now: number, freshnessMs: number): boolean {
  const fresh = Object.values(health.controls).filter(
    (control) => control.outcome !== 'inconclusive' && now - Date.parse(control.at) <= freshnessMs,
  );
  const down = fresh.filter((control) => control.outcome === 'down').length;
  return fresh.length > 0 && down * 2 > fresh.length;
}

/** Records a control target's result on its vantage (newer results only). */
export async function recordControlResult(
  store: StateStore,
  event: ProbeCloudEvent,
  maxWriteAttempts: number,
): Promise<void> {
  const data = event.data;
  await updateItem<VantageHealth>(
    store,
    COLLECTIONS.vantages,
    data.vantage.id,
    (current) => {
      const previous = current?.controls[data.target.id];
      if (previous && Date.parse(previous.at) >= Date.parse(data.updatedAt)) return undefined;
      return {
        vantageId: data.vantage.id,
        controls: { ...current?.controls, [data.target.id]: { outcome: data.outcome, at: data.updatedAt } },
      };
    },
    { maxAttempts: maxWriteAttempts },
  );
}

/** Ids of the vantages impaired at `now`. */
export async function listImpairedVantages(
  store: StateStore,
  now: Date,
  freshnessMs: number,
): Promise<Set<string>> {
  const impaired = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.list<VantageHealth>(COLLECTIONS.vantages, {
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) {
      if (isImpaired(item.value, now.getTime(), freshnessMs)) impaired.add(item.value.vantageId);
    }
    cursor = page.cursor;
  } while (cursor);
  return impaired;
}
