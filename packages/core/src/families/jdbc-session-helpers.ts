/**
 * Small pieces JDBC sessions share: paging a driver cursor, and a journal of the renames made
 * inside a transaction on databases whose DDL is not transactional.
 */

/**
 * Pages of rows from a cursor's `fetch(n)` (`fetchN`, `fetchmany`, `getRows`) until a short or
 * empty page, checking the signal before every round trip. Feed it to `rowPagesToBatches`.
 *
 * @example
 * ```ts
 * yield* rowPagesToBatches(columns, fetchPages((n) => cursor.fetchmany(n), 10_000, signal), 10_000);
 * ```
 */
export async function* fetchPages<TRow>(fetch: (size: number) => Promise<TRow[] | null | undefined>, size: number, signal: AbortSignal): AsyncGenerator<TRow[]> {
  for (;;) {
    signal.throwIfAborted();
    const rows = await fetch(size);
    if (!rows?.length) return;
    yield rows;
    if (rows.length < size) return;
  }
}

/**
 * The renames done inside a transaction, for databases where a rename commits on its own
 * (Oracle, Teradata): a rollback then undoes them, newest first, so a failed staging-table swap
 * leaves the original table in place. Outside a transaction nothing is recorded.
 *
 * @example
 * ```ts
 * const journal = new RenameJournal<{ from: string; to: string }>();
 * journal.begin();
 * journal.record({ from: '"T"', to: '"T_OLD"' });
 * await journal.rollback(({ from, to }) => conn.execute(`RENAME TABLE ${to} TO ${from}`));
 * ```
 */
export class RenameJournal<TEntry> {
  private entries: TEntry[] | undefined;

  /** Starts recording (a transaction began). */
  begin(): void {
    this.entries = [];
  }

  /** Records one rename, when a transaction is open. */
  record(entry: TEntry): void {
    this.entries?.push(entry);
  }

  /** Forgets the renames (the transaction committed). */
  commit(): void {
    this.entries = undefined;
  }

  /** Undoes the recorded renames newest first with `undo`, and stops recording. */
  async rollback(undo: (entry: TEntry) => Promise<unknown>): Promise<void> {
    const done = this.entries ?? [];
    this.entries = undefined;
    for (const entry of done.reverse()) await undo(entry);
  }
}
