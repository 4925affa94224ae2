/**
 * Housekeeping for what functions leave on disk: unpacked code folders that no function, version
 * or live environment uses any more, and packages that no stack still names. `jeff dev` writes a
 * new package and a new code folder on every save that changes code, so without this the data
 * directory only grows.
 *
 * Nothing between being written and being recorded is taken: entries touched in the last
 * `graceMs` stay; a code folder `storeCode` handed out is pinned in memory for as long (this
 * process is the only writer of code folders); and an entry is moved aside with a synchronous
 * rename, then checked once more, before it is removed.
 */
import { lstatSync, renameSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { SqlExecutor } from "../../store/index.js";

export const sweepGraceMs = 10 * 60_000;

/** Code folders `storeCode` returned lately, by `<account>/<sha256>`, with when. */
const pinned = new Map<string, number>();

/** Called by storeCode, synchronously with its check that the folder exists. */
export function pinCodeFolder(dir: string, now = Date.now()): void {
  pinned.set(codeKey(dir), now);
  for (const [path, at] of pinned) if (at < now - sweepGraceMs) pinned.delete(path);
}

/** `<account>/<sha256>`: how a code folder is known, whatever spelling of the data directory led to it. */
const codeKey = (dir: string) => `${basename(dirname(dir))}/${basename(dir)}`;

const isOld = (path: string, before: number) => {
  try {
    return lstatSync(path).mtimeMs < before;
  } catch {
    return false;
  }
};

/**
 * Moves `path` aside and removes it, unless `keep()` says otherwise at the last moment or it was
 * touched meanwhile; true when it was removed.
 */
async function removeUnlessKept(path: string, before: number, keep: () => boolean): Promise<boolean> {
  if (keep() || !isOld(path, before)) return false;
  const aside = join(dirname(path), `.swept-${basename(path)}-${process.pid}`);
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  if (!isOld(aside, before)) {
    // Touched between the check and the rename: it is in use again.
    renameSync(aside, path);
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

/**
 * Removes code folders under `codeRoot/<account>/` that no function's `$LATEST` or version names
 * and no live environment (`inUse`) runs; returns how many.
 */
export async function sweepUnusedCode(
  db: SqlExecutor,
  codeRoot: string,
  inUse: () => Iterable<string>,
  now = Date.now(),
): Promise<number> {
  const used = new Set<string>();
  for (const table of ["lambda_functions", "lambda_function_versions"]) {
    for (const row of await db.all<{ code_dir: string }>(`SELECT DISTINCT code_dir FROM ${table}`))
      used.add(codeKey(row.code_dir));
  }
  const before = now - sweepGraceMs;
  let removed = 0;
  for (const account of await readdir(codeRoot).catch(() => [] as string[])) {
    const accountDir = join(codeRoot, account);
    for (const name of await readdir(accountDir).catch(() => [] as string[])) {
      const dir = join(accountDir, name);
      const keep = () =>
        used.has(codeKey(dir)) ||
        (pinned.get(codeKey(dir)) ?? 0) >= before ||
        [...inUse()].some((live) => codeKey(live) === codeKey(dir));
      if (await removeUnlessKept(dir, before, keep)) removed++;
    }
  }
  return removed;
}

/**
 * Removes the entries of `dir` (packages, build folders) that `stillNeeded` does not claim;
 * returns how many. `stillNeeded` is asked before the last check, so it may be slow.
 */
export async function sweepUnneeded(
  dir: string,
  stillNeeded: (path: string) => Promise<boolean>,
  now = Date.now(),
): Promise<number> {
  const before = now - sweepGraceMs;
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if (!isOld(path, before) || (await stillNeeded(path))) continue;
    if (await removeUnlessKept(path, before, () => false)) removed++;
  }
  return removed;
}
