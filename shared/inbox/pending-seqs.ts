/**
 * The SQLite inbox's index of its pending rows, in memory: entry id → the seqs of its pending rows.
 *
 * The inbox table has no index on `id` (a random sha256 key would dirty one B-tree page per insert,
 * so every group commit would write and fsync many more WAL frames); rows are appended by seq only.
 * Settling an id therefore needs its seqs from elsewhere: this map. It is loaded from the pending
 * rows when the inbox opens, grows with every committed put (the writer reports each row's seq) and
 * shrinks as rows are settled. A body posted twice has two rows: both seqs sit under its id, and one
 * settle settles both.
 *
 * The local runner is the file's only writer (the data directory lock), so the map is complete. Should
 * an id be missing anyway (rows appended by another connection), `take` first loads the pending rows
 * newer than the newest seq it knows: one index range read, empty in the usual case (an id settled
 * twice). Seqs only grow, so a reported row at or below the newest seq known was loaded that way
 * already and is not added twice.
 */

export interface PendingRowRef {
  readonly id: string;
  readonly seq: number;
}

export interface PendingSeqs {
  /** Records a committed pending row (the writer's report); ignored when a catch-up loaded it already. */
  add(id: string, seq: number): void;
  /** Removes and returns the pending rows of these ids (to be settled). */
  take(ids: readonly string[]): PendingRowRef[];
  /** Puts rows back that `take` removed but whose settle did not commit. */
  restore(rows: readonly PendingRowRef[]): void;
  /** Pending rows known (for tests and status). */
  readonly size: number;
}

/** `loadSince(seq)`: the pending rows with a seq greater than `seq` (0: all of them). */
export function createPendingSeqs(loadSince: (seq: number) => readonly PendingRowRef[]): PendingSeqs {
  // One seq as a plain number (nearly every id); an array once a body was posted twice.
  const seqsById = new Map<string, number | number[]>();
  let newestSeq = 0;
  let size = 0;

  const insert = (id: string, seq: number) => {
    const current = seqsById.get(id);
    if (current === undefined) seqsById.set(id, seq);
    else if (typeof current === 'number') seqsById.set(id, [current, seq]);
    else current.push(seq);
    if (seq > newestSeq) newestSeq = seq;
    size++;
  };

  const catchUp = () => {
    for (const row of loadSince(newestSeq)) insert(row.id, row.seq);
  };

  catchUp();

  return {
    add(id, seq) {
      if (seq > newestSeq) insert(id, seq);
    },
    take(ids) {
      const taken: PendingRowRef[] = [];
      let caughtUp = false;
      for (const id of ids) {
        let seqs = seqsById.get(id);
        if (seqs === undefined && !caughtUp) {
          caughtUp = true;
          catchUp();
          seqs = seqsById.get(id);
        }
        if (seqs === undefined) continue;
        seqsById.delete(id);
        if (typeof seqs === 'number') taken.push({ id, seq: seqs });
        else for (const seq of seqs) taken.push({ id, seq });
      }
      size -= taken.length;
      return taken;
    },
    restore(rows) {
      for (const row of rows) insert(row.id, row.seq);
    },
    get size() {
      return size;
    },
  };
}
