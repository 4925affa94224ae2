/** What the API's handlers share: the caller's scope, timestamps as the JSON protocols write them, pages. */
import type { RequestContext } from "../protocol/index.js";
import type { EventsScope } from "./bus-records.js";
import { eventsErrors } from "./events-errors.js";

export const scopeOf = (ctx: RequestContext): EventsScope => ({
  accountId: ctx.caller.accountId,
  region: ctx.region,
});

/** A timestamp as awsJson writes it: seconds since the epoch. */
export const seconds = (ms: number) => ms / 1000;

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** One page of `items` from an opaque NextToken (an offset), at most `limit` long. */
export function page<T>(
  items: readonly T[],
  input: Record<string, unknown>,
): { items: T[]; nextToken?: string } {
  let start = 0;
  const token = input.NextToken;
  if (typeof token === "string") {
    const decoded = Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isSafeInteger(decoded) || decoded < 0) throw eventsErrors.invalidNextToken();
    start = decoded;
  }
  const limit = typeof input.Limit === "number" ? input.Limit : 100;
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString("base64url") } : {}),
  };
}
