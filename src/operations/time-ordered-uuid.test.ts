import { expect, it } from "vitest";
import { timeOrderedUuid } from "./time-ordered-uuid.js";

it("makes UUIDs of version 7 that sort in the order they were made, within a millisecond too", () => {
  const ids = Array.from({ length: 5000 }, (_, i) =>
    timeOrderedUuid(1_700_000_000_000 + Math.floor(i / 2500)),
  );
  for (const id of ids)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  // A clock that goes back does not make an id sort before an earlier one.
  const later = timeOrderedUuid(1_600_000_000_000);
  expect(later > ids[ids.length - 1]!).toBe(true);
});
