/**
 * Event ids that sort by time (UUID version 7: the millisecond time, then random bits), still in
 * the UUID form CloudTrail's `eventID` has. Ids that grow append to the end of the store's index
 * instead of landing at a random place in it, which keeps recording cheap at high call rates.
 */
import { randomUUID } from "node:crypto";

export function timeOrderedUuid(ms: number): string {
  const time = ms.toString(16).padStart(12, "0").slice(-12);
  const random = randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
