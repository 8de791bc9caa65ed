/**
 * Silences turn a notifying decision into `suppressed` (reason `silence:<id>` or
 * `maintenance:<id>`) while the incident's state still changes. To never send "resolved" for an
 * incident nobody was told about (the "UP without DOWN" complaint), an episode whose `open` was
 * suppressed keeps that fact: its first later unsilenced update while still open goes out as `open`
 * (reason `silence-ended`), and its resolve or post-resolution updates are suppressed with reason
 * `open-suppressed`. A new episode (reopen) starts clean.
 */
import type { DecisionDraft } from './decision.ts';
import type { IncidentRecord } from './incident-record.ts';
import type { Silence } from './silences.ts';
import { describeSilenceReason } from './silences.ts';

const SILENCEABLE = new Set(['open', 'update', 'resolve', 'reopen', 'escalate', 'recover']);

export function applySilencePolicy(
  record: IncidentRecord,
  drafts: readonly DecisionDraft[],
  silence: Silence | undefined,
): { record: IncidentRecord; drafts: DecisionDraft[] } {
  let openSuppressedBy = record.openSuppressedBy;
  const out: DecisionDraft[] = [];
  for (const draft of drafts) {
    if (!SILENCEABLE.has(draft.kind)) {
      out.push(draft);
      continue;
    }
    const opens = draft.kind === 'open' || draft.kind === 'reopen';
    if (silence) {
      const reason = describeSilenceReason(silence);
      if (opens) openSuppressedBy = reason;
      out.push({ ...draft, kind: 'suppressed', suppressedKind: draft.kind, reason });
      continue;
    }
    if (opens) {
      openSuppressedBy = null;
      out.push(draft);
    } else if (openSuppressedBy !== null && (draft.kind === 'update' || draft.kind === 'resolve')) {
      if (draft.kind === 'update' && draft.status === 'open' && !draft.stale) {
        openSuppressedBy = null;
        out.push({ ...draft, kind: 'open', reason: 'silence-ended' });
      } else {
        out.push({ ...draft, kind: 'suppressed', suppressedKind: draft.kind, reason: 'open-suppressed' });
      }
    } else {
      out.push(draft);
    }
  }
  return { record: { ...record, openSuppressedBy }, drafts: out };
}
