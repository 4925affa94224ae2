/**
 * Housekeeping for what functions leave on disk: unpacked code folders that no function or
 * version uses any more, and packages that no stack still names. `jeff dev` writes a new package
 * and a new code folder on every save that changes code, so without this the data directory only
 * grows. Anything touched in the last `graceMs` stays: a CreateFunction or a deploy may be between
 * writing its files and recording them.
 */
import { lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SqlExecutor } from "../store/index.js";

export const sweepGraceMs = 10 * 60_000;

async function entriesOlderThan(dir: string, before: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const old: string[] = [];
  for (const name of names) {
    const info = await lstat(join(dir, name)).catch(() => undefined);
    if (info && info.mtimeMs < before) old.push(name);
  }
  return old;
}

/** Removes code folders under `codeRoot/<account>/` that no function's `$LATEST` or version names; returns how many. */
export async function sweepUnusedCode(db: SqlExecutor, codeRoot: string, now = Date.now()): Promise<number> {
  const used = new Set<string>();
  for (const table of ["lambda_functions", "lambda_function_versions"]) {
    for (const row of await db.all<{ code_dir: string }>(`SELECT DISTINCT code_dir FROM ${table}`))
      used.add(row.code_dir);
  }
  let removed = 0;
  for (const account of await readdir(codeRoot).catch(() => [] as string[])) {
    const accountDir = join(codeRoot, account);
    for (const name of await entriesOlderThan(accountDir, now - sweepGraceMs)) {
      const dir = join(accountDir, name);
      if (used.has(dir)) continue;
      await rm(dir, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Removes the entries of `dir` (packages, build folders) that `stillNeeded` does not claim;
 * returns how many.
 */
export async function sweepUnneeded(
  dir: string,
  stillNeeded: (path: string) => Promise<boolean>,
  now = Date.now(),
): Promise<number> {
  let removed = 0;
  for (const name of await entriesOlderThan(dir, now - sweepGraceMs)) {
    const path = join(dir, name);
    if (await stillNeeded(path)) continue;
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
