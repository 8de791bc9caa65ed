/**
 * Where a provider update stands in its incident's lifecycle, and which of two updates is newer.
 *
 * Phase (from the normalized `status` and `stage`):
 *   - `post`     a stage listed in `postResolutionStages` (Azure `RCA`, Graph `postIncidentReviewPublished`);
 *   - `resolved` status `resolved` (Azure Resolved/Complete/Canceled, AWS closed, Graph serviceRestored…);
 *   - `active`   anything else (`active`, `scheduled`, `informational`).
 * Rank orders the phases for updates published at the same instant:
 *   scheduled 1 < active/informational 2 < resolved 3 < post 4
 * which gives Azure's Active < Resolved < RCA and maintenance Planned < InProgress < Complete.
 *
 * Newer = later `updatedAt`; equal times compare by rank, then by updateKey (a total order, so the
 * outcome never depends on arrival order).
 */
import type { ProviderEventData } from '../event/schema.ts';

export type UpdatePhase = 'active' | 'resolved' | 'post';

export interface UpdatePosition {
  readonly updatedAt: string;
  readonly rank: number;
  readonly updateKey: string;
}

export function classifyUpdate(
  data: Pick<ProviderEventData, 'status' | 'stage'>,
  postResolutionStages: readonly string[],
): { phase: UpdatePhase; rank: number } {
  const stage = data.stage?.toLowerCase();
  if (stage !== undefined && postResolutionStages.some((post) => post.toLowerCase() === stage)) {
    return { phase: 'post', rank: 4 };
  }
  if (data.status === 'resolved') return { phase: 'resolved', rank: 3 };
  if (data.status === 'scheduled') return { phase: 'active', rank: 1 };
  return { phase: 'active', rank: 2 };
}

/** Negative when `a` is older than `b`, positive when newer, 0 only for the same update. */
export function compareUpdates(a: UpdatePosition, b: UpdatePosition): number {
  const byTime = Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
  if (byTime !== 0) return byTime;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.updateKey < b.updateKey ? -1 : a.updateKey > b.updateKey ? 1 : 0;
}
