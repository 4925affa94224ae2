/** The writes a cycle applies together, in one transaction. */
import type { SqlExecutor } from "../store/index.js";
import { applyJobWrite, type JobWrite } from "./job-records.js";

/** A write waiting for the next cycle, and what to do once it is known whether it held. */
export interface PendingWrite {
  readonly write: JobWrite;
  settle(changed: boolean): void;
  /** The cycle failed and the write was not made. */
  abandon(): void;
}

const jobIdOf = (write: JobWrite): string => ("row" in write ? write.row.id : write.lease.id);

/**
 * Applies a batch in the order of the job ids, the one lock order every node follows, so on
 * PostgreSQL two nodes' batches cannot deadlock; returns whether each write held, in batch order.
 * (The sort is stable: two writes of one job keep their order.)
 */
export async function applyInIdOrder(tx: SqlExecutor, batch: readonly PendingWrite[]): Promise<boolean[]> {
  const order = batch.map((_, index) => index);
  order.sort((a, b) => {
    const x = jobIdOf(batch[a]!.write);
    const y = jobIdOf(batch[b]!.write);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const changed = new Array<boolean>(batch.length).fill(false);
  for (const index of order) changed[index] = await applyJobWrite(tx, batch[index]!.write);
  return changed;
}
