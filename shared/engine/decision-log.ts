/**
 * The decision log: decisions projected from the documents that committed them, under
 * deterministic keys, so a retry or a repair writes the same records again instead of new ones.
 *
 *   decisions           `<decidedAt ISO>|<seq>|<id>`                  ascending by time (the outbox reads this)
 *   incident-decisions  `<incident hash>|<decidedAt ISO>|<seq>|<id>`  one incident's decisions, by time
 *
 * A crash between an incident's conditional write and this projection loses nothing: the decision
 * is in the document's journal, and `repairDecisionLog` (run at start) projects every journal again.
 */
import type { StateStore, StoredItem } from '../store/ports.ts';
import type { Decision } from './decision.ts';
import { COLLECTIONS, JOURNALED_COLLECTIONS, toIncidentDecisionPrefix } from './engine-collections.ts';

/** `<decidedAt>|<seq, 10 digits, or "~" for unjournaled>|<id>`: by time, then journal order. */
export function toDecisionLogKey(decision: Decision): string {
  const seq = decision.seq === null ? '~' : String(decision.seq).padStart(10, '0');
  return `${decision.decidedAt}|${seq}|${decision.id}`;
}

/** Writes the decisions to both log collections (idempotent upserts, one `putMany` each). */
export async function recordDecisions(
  store: StateStore,
  decisions: readonly Decision[],
  options: { readonly persistDuplicates: boolean },
): Promise<void> {
  const logged = decisions.filter((decision) => decision.kind !== 'duplicate' || options.persistDuplicates);
  if (logged.length === 0) return;
  const keyed = logged.map((decision) => ({ key: toDecisionLogKey(decision), value: decision }));
  await store.putMany(COLLECTIONS.decisions, keyed);
  await store.putMany(
    COLLECTIONS.incidentDecisions,
    keyed.map(({ key, value }) => ({ key: `${toIncidentDecisionPrefix(value.incidentKey)}${key}`, value })),
  );
}

async function listAll<T>(store: StateStore, collection: string, prefix?: string): Promise<StoredItem<T>[]> {
  const items: StoredItem<T>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list<T>(collection, {
      limit: 1000,
      ...(prefix === undefined ? {} : { prefix }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Every logged decision, oldest first. */
export async function listDecisions(store: StateStore): Promise<Decision[]> {
  return (await listAll<Decision>(store, COLLECTIONS.decisions)).map((item) => item.value);
}

/** One incident's logged decisions, oldest first. */
export async function listIncidentDecisions(store: StateStore, incidentKey: string): Promise<Decision[]> {
  return (
    await listAll<Decision>(store, COLLECTIONS.incidentDecisions, toIncidentDecisionPrefix(incidentKey))
  )
    .map((item) => item.value)
    .filter((decision) => decision.incidentKey === incidentKey);
}

/** Projects every journaled decision into the log again; returns how many were written. */
export async function repairDecisionLog(store: StateStore): Promise<number> {
  let written = 0;
  for (const collection of JOURNALED_COLLECTIONS) {
    for (const item of await listAll<{ journal?: Decision[] }>(store, collection)) {
      const journal = item.value.journal ?? [];
      await recordDecisions(store, journal, { persistDuplicates: true });
      written += journal.length;
    }
  }
  return written;
}
