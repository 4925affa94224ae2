/**
 * A function's tags, with Lambda's limits, and the one tag Jeff reads itself: `jeff:allow`, which
 * lifts parts of a Node function's sandbox (`child-process`, `worker`, `addons`, `wasi`, separated
 * by spaces or commas). Tags belong to the function, not to a version, as on Lambda.
 */
import { lambdaErrors } from "./lambda-errors.js";

export const tagLimits = { count: 50, keyLength: 128, valueLength: 256 } as const;

/** The tag whose value lists what a function's sandbox allows beyond Lambda's defaults. */
export const allowTag = "jeff:allow";
export const sandboxAllowances = ["child-process", "worker", "addons", "wasi"] as const;
export type SandboxAllowance = (typeof sandboxAllowances)[number];

/** Checks a `Tags` map (CreateFunction, TagResource); undefined when the request has none. */
export function readTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw lambdaErrors.invalidParameter("Tags must be a map of tag keys to values");
  const tags: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (key.length < 1 || key.length > tagLimits.keyLength)
      throw lambdaErrors.invalidParameter(
        `Tag key ${key} must be 1 to ${tagLimits.keyLength} characters long`,
      );
    if (key.toLowerCase().startsWith("aws:"))
      throw lambdaErrors.invalidParameter(`Tag key ${key} is reserved: the aws: prefix is AWS's own`);
    if (typeof raw !== "string" || raw.length > tagLimits.valueLength)
      throw lambdaErrors.invalidParameter(
        `The value of tag ${key} must be a string of at most ${tagLimits.valueLength} characters`,
      );
    tags[key] = raw;
  }
  allowancesOf(tags);
  return tags;
}

/** Tags after TagResource: the old ones with the new ones over them, within Lambda's 50. */
export function mergeTags(current: Readonly<Record<string, string>>, added: Record<string, string>) {
  const merged = { ...current, ...added };
  if (Object.keys(merged).length > tagLimits.count)
    throw lambdaErrors.invalidParameter(`A function may have at most ${tagLimits.count} tags`);
  return merged;
}

/** What the `jeff:allow` tag lets the function do; an unknown word is refused, naming it. */
export function allowancesOf(tags: Readonly<Record<string, string>>): SandboxAllowance[] {
  if (Object.keys(tags).length > tagLimits.count)
    throw lambdaErrors.invalidParameter(`A function may have at most ${tagLimits.count} tags`);
  const value = tags[allowTag];
  if (value === undefined) return [];
  const words = value.split(/[\s,]+/).filter(Boolean);
  for (const word of words) {
    if (!(sandboxAllowances as readonly string[]).includes(word)) {
      throw lambdaErrors.invalidParameter(
        `Tag ${allowTag}: '${word}' is not one of ${sandboxAllowances.join(", ")}`,
      );
    }
  }
  return [...new Set(words as SandboxAllowance[])].sort();
}
