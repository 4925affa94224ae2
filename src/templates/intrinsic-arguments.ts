/**
 * Argument handling shared by the intrinsic functions: arity, coercion of scalars, and wrapping
 * engine callbacks so every failure carries the path of the call that failed.
 */
import { describeValue } from "./json-values.js";
import { IntrinsicError } from "./template-errors.js";

/**
 * Engine callbacks throw plain errors; give them the path of the call that asked. A callback that
 * answers `undefined` has no value to give, which is an error too: a property must never quietly vanish.
 */
export function callBack(path: string, fn: () => unknown, whenUndefined: string): unknown {
  let value: unknown;
  try {
    value = fn();
  } catch (error) {
    if (error instanceof IntrinsicError) throw error;
    throw new IntrinsicError(path, error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (value === undefined) throw new IntrinsicError(path, whenUndefined);
  return value;
}

export function fixedArgs(args: unknown, count: number, path: string, what: string): unknown[] {
  if (!Array.isArray(args) || args.length !== count) {
    throw new IntrinsicError(path, `${functionOf(path)} requires a list of ${count} parameters: ${what}`);
  }
  return args;
}

export function stringArg(value: unknown, path: string, what: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new IntrinsicError(
    path,
    `${functionOf(path)}: ${what} must be a string, not ${describeValue(value)}`,
  );
}

export function integerArg(value: unknown, path: string, what: string): number {
  const n = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n)) return n;
  throw new IntrinsicError(
    path,
    `${functionOf(path)}: ${what} must be an integer, not ${describeValue(value)}`,
  );
}

export function functionOf(path: string): string {
  const match = /(Ref|Fn::[A-Za-z0-9]+)(?:\[\d+\])?$/.exec(path);
  return match?.[1] ?? "intrinsic function";
}
