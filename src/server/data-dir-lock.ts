/**
 * One Jeff per data directory. SQLite serves one process well, and two servers would each roll
 * back the other's stack operations on start; a lock file naming the owner's pid keeps the second
 * one out. A lock left by a process that no longer runs is taken over.
 *
 * The invariant: of any number of processes racing for the lock, at most one wins, stale lock or
 * not. Node has no flock, so every step is a single atomic file system operation:
 * - A lock is written whole under a unique name, then `link`ed to `jeff.lock`; the link fails if
 *   the name is taken, so a lock is never seen half-written and never overwritten.
 * - Every lock file holds `pid` and a token no other file ever has. Only the process that holds
 *   `jeff.lock.break-<token>` (taken the same way, by `link`) may remove the lock with that token.
 *   So once a breaker has read that token in `jeff.lock`, nobody else can swap the file before it
 *   unlinks it: it never removes a lock someone took in the meantime. A break file whose owner
 *   died is itself stale and is broken the same way, under its own token.
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, open, readdir, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const lockFileName = "jeff.lock";
const breakPrefix = `${lockFileName}.break-`;
const draftPrefix = `${lockFileName}.draft-`;

export class DataDirBusyError extends Error {
  override readonly name = "DataDirBusyError";
}

export interface DataDirLock {
  release(): Promise<void>;
}

/** Tokens of the locks this process holds: its own pid in a lock is stale only if it is not one. */
const heldTokens = new Set<string>();

interface LockFile {
  readonly pid: number | undefined;
  /** Names this one file for as long as it exists, and never another. */
  readonly identity: string;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function live(file: LockFile): boolean {
  if (file.pid === undefined) return false;
  if (file.pid === process.pid) return heldTokens.has(file.identity);
  return running(file.pid);
}

/** The pid and identity of a lock or break file, read through one descriptor; undefined if gone. */
async function readLockFile(path: string): Promise<LockFile | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const [text, stat] = await Promise.all([handle.readFile("utf8"), handle.stat({ bigint: true })]);
    const [pidText = "", token = ""] = text.split("\n");
    const pid = Number.parseInt(pidText, 10);
    return {
      pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
      // Locks written before tokens existed hold only a pid; their inode names them meanwhile.
      identity: /^[0-9a-f-]{36}$/.test(token) ? token : `inode-${stat.dev}-${stat.ino}`,
    };
  } finally {
    await handle.close();
  }
}

/** Creates `path` holding a fresh token, atomically and whole; the token, or undefined if taken. */
async function createExclusive(dir: string, path: string): Promise<string | undefined> {
  const token = randomUUID();
  const draft = join(dir, `${draftPrefix}${token}`);
  await writeFile(draft, `${process.pid}\n${token}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(draft, path);
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

/**
 * Removes `path` if it is still the stale file `stale`, and only then. Returns once this process
 * has done what it can; the caller looks again.
 */
async function breakStale(dir: string, path: string, stale: LockFile, depth = 0): Promise<void> {
  const breakPath = join(dir, `${breakPrefix}${stale.identity}`);
  const token = await createExclusive(dir, breakPath);
  if (token === undefined) {
    // Another process is breaking this lock; if it died doing so, its break file is stale too.
    const breaker = await readLockFile(breakPath);
    if (breaker === undefined || live(breaker)) return;
    // Each level needs a breaker to have died inside the last one's few operations.
    if (depth < 8) await breakStale(dir, breakPath, breaker, depth + 1);
    return;
  }
  try {
    // Nobody else may remove `stale` while this process holds its break file, so if `path` is
    // still that file now, it still is when it is unlinked.
    const current = await readLockFile(path);
    if (current?.identity === stale.identity) await unlink(path).catch(ignoreMissing);
  } finally {
    await unlink(breakPath).catch(() => {});
  }
}

/**
 * Break files and drafts left by processes that died mid-takeover name locks that are gone; once
 * this process holds the lock, they guard nothing. A draft with no pid yet may be one another
 * contender is writing now, so only files whose pid is readable and dead go.
 */
async function sweepLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(breakPrefix) && !name.startsWith(draftPrefix)) continue;
    const path = join(dir, name);
    const file = await readLockFile(path).catch(() => undefined);
    if (file?.pid !== undefined && !live(file)) await unlink(path).catch(() => {});
  }
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, lockFileName);
  // Only a process that keeps dying mid-takeover, or one that keeps taking and dropping the lock,
  // makes this loop go round more than a few times.
  for (let attempt = 0; attempt < 200; attempt++) {
    const token = await createExclusive(dataDir, path);
    if (token !== undefined) {
      heldTokens.add(token);
      await sweepLeftovers(dataDir);
      return {
        async release() {
          if (!heldTokens.delete(token)) return;
          // Only a breaker that saw this process dead could remove the lock; it still holds it.
          if ((await readLockFile(path))?.identity === token) await unlink(path).catch(ignoreMissing);
        },
      };
    }
    const owner = await readLockFile(path);
    if (owner === undefined) continue;
    if (live(owner)) {
      throw new DataDirBusyError(
        owner.pid === process.pid
          ? `this process already uses ${dataDir}`
          : `another Jeff (pid ${owner.pid}) is already using ${dataDir}`,
      );
    }
    await breakStale(dataDir, path, owner);
    if (attempt > 0) await sleep(Math.min(50, attempt * 5));
  }
  throw new DataDirBusyError(`could not lock ${dataDir}: another process keeps taking ${lockFileName}`);
}
