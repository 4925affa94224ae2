/**
 * A function's tags, with Lambda's limits. Jeff reads none of them: what a function's sandbox
 * allows is the operator's setting (`sandboxAllow`), never a tag a caller of the API could set —
 * the function itself among them, with the credentials in its environment. Tags belong to the
 * function, not to a version, as on Lambda.
 */
import { lambdaErrors } from "../lambda-errors.js";

export const tagLimits = { count: 50, keyLength: 128, valueLength: 256 } as const;

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
  if (Object.keys(tags).length > tagLimits.count)
    throw lambdaErrors.invalidParameter("Number of tags exceeds resource tag limit.");
  return tags;
}

/** Tags after TagResource: the old ones with the new ones over them, within Lambda's 50. */
export function mergeTags(current: Readonly<Record<string, string>>, added: Record<string, string>) {
  const merged = { ...current, ...added };
  if (Object.keys(merged).length > tagLimits.count)
    throw lambdaErrors.invalidParameter("Number of tags exceeds resource tag limit.");
  return merged;
}
