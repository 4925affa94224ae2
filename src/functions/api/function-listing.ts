/**
 * ListFunctions: each function's `$LATEST` in name order, or with `FunctionVersion=ALL` each
 * function's `$LATEST` and then its published versions in number order, every entry under its
 * qualified ARN. A page's position is `name` (one entry per function) or `name:version` (ALL).
 */
import type { SqlExecutor } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  describeFunction,
  type FunctionScope,
  findFunction,
  listFunctions,
  listVersions,
  versionArn,
} from "../records/index.js";

type FunctionConfiguration = ReturnType<typeof describeFunction>;

interface ListedEntry {
  readonly position: string;
  readonly body: FunctionConfiguration;
}

/** `FunctionVersion`: absent, or `ALL` (the only value the API model allows). */
export function readFunctionVersion(raw: string | null): boolean {
  if (raw === null) return false;
  if (raw !== "ALL")
    throw lambdaErrors.validation("functionVersion", raw, "Member must satisfy enum value set: [ALL]");
  return true;
}

/** The entries after `after`, at most `limit` (ask for one more than a page to know if another follows). */
export async function listFunctionEntries(
  db: SqlExecutor,
  scope: FunctionScope,
  after: string,
  limit: number,
  allVersions: boolean,
): Promise<ListedEntry[]> {
  if (!allVersions) {
    const page = await listFunctions(db, scope, after, limit);
    return page.map((record) => ({ position: record.name, body: describeFunction(record) }));
  }
  const separator = after.indexOf(":");
  const afterName = separator < 0 ? after : after.slice(0, separator);
  const afterVersion = separator < 0 ? undefined : after.slice(separator + 1);
  if (afterVersion !== undefined && afterVersion !== "$LATEST" && !/^[0-9]+$/.test(afterVersion))
    throw lambdaErrors.invalidParameter("The Marker is not valid: pass the NextMarker of the last page");

  const entries: ListedEntry[] = [];
  const addVersions = async (name: string, afterNumber: number) => {
    const fn = await findFunction(db, scope, name);
    if (!fn) return;
    const versions = await listVersions(db, scope, fn, afterNumber, limit - entries.length);
    for (const published of versions) {
      entries.push({
        position: `${fn.name}:${published.version}`,
        body: describeFunction(published.record, String(published.version), versionArn(published)),
      });
    }
  };
  // The rest of the function the last page stopped in, then the functions after it.
  if (afterVersion !== undefined)
    await addVersions(afterName, afterVersion === "$LATEST" ? 0 : Number(afterVersion));
  let cursor = afterName;
  while (entries.length < limit) {
    const functions = await listFunctions(db, scope, cursor, limit - entries.length);
    for (const fn of functions) {
      if (entries.length >= limit) break;
      entries.push({
        position: `${fn.name}:$LATEST`,
        body: describeFunction(fn, "$LATEST", `${fn.arn}:$LATEST`),
      });
      if (entries.length < limit) await addVersions(fn.name, 0);
    }
    const last = functions.at(-1);
    if (!last) break;
    cursor = last.name;
  }
  return entries.slice(0, limit);
}
