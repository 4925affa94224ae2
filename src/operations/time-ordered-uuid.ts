/**
 * Event ids that sort by time (UUID version 7: the millisecond time, a counter, then random bits),
 * still in the UUID form CloudTrail's `eventID` has. Ids that grow append to the end of the
 * store's index instead of landing at a random place in it, which keeps recording cheap at high
 * call rates, and the ids a process makes sort in the order it made them (the counter orders ids
 * of the same millisecond, as RFC 9562's method 1 does).
 */
import { randomUUID } from "node:crypto";

let lastMs = 0;
let counter = 0;
/** The ids of one millisecond share their first 15 characters: made once per millisecond. */
let prefixMs = -1;
let prefix = "";

export function timeOrderedUuid(ms: number): string {
  if (ms > lastMs) {
    lastMs = ms;
    // A random start leaves room to count up within the millisecond.
    counter = Math.floor(Math.random() * 0x800);
  } else if (++counter > 0xfff) {
    // More than the counter holds in one millisecond (or the clock went back): borrow the next.
    lastMs++;
    counter = 0;
  }
  if (lastMs !== prefixMs) {
    const time = lastMs.toString(16).padStart(12, "0").slice(-12);
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixMs = lastMs;
  }
  return `${prefix}${counter.toString(16).padStart(3, "0")}-${randomUUID().slice(19)}`;
}
