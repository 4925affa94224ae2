/**
 * The value rules of `SqlValue` that every engine enforces alike: what may be bound, and how an
 * integer reads back.
 */
import { StoreMisuseError } from "./store-errors.js";

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const safeMin = BigInt(Number.MIN_SAFE_INTEGER);
const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

/** Throws `StoreMisuseError`, naming the 1-based position, unless `value` is a `SqlValue` kept exactly. */
export function checkParam(value: unknown, index: number): void {
  const problem = unbindableReason(value);
  if (problem !== undefined) throw new StoreMisuseError(`parameter ${index + 1} ${problem}`);
}

function unbindableReason(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `is ${value}; only finite numbers can be stored`;
    case "bigint":
      return value >= int64Min && value <= int64Max ? undefined : "is a bigint outside the 64-bit range";
    case "boolean":
      return "is a boolean; bind 1 or 0 instead";
    case "undefined":
      return "is undefined; bind null for a missing value";
    case "object":
      if (value === null || value instanceof Uint8Array) return undefined;
      return "is an object; only strings, numbers, bigints, null and Uint8Array can be bound";
    default:
      return `is a ${typeof value}; only strings, numbers, bigints, null and Uint8Array can be bound`;
  }
}

/** An integer as the contract reads it back: a `number` when that is exact, else the `bigint`. */
export function integerValue(value: bigint): number | bigint {
  return value >= safeMin && value <= safeMax ? Number(value) : value;
}
