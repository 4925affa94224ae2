/**
 * One Jeff per data directory. SQLite serves one process well, and two servers would each roll
 * back the other's stack operations on start; a lock file with the owner's pid keeps the second
 * one out. A lock left by a process that no longer runs is taken over.
 */
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

export const lockFileName = "jeff.lock";

export class DataDirBusyError extends Error {
  override readonly name = "DataDirBusyError";
}

export interface DataDirLock {
  release(): Promise<void>;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, lockFileName);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, "wx", 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return {
        async release() {
          if (ownerOf(path) === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && owner !== process.pid && running(owner)) {
        throw new DataDirBusyError(`another Jeff (pid ${owner}) is already using ${dataDir}`);
      }
      await rm(path, { force: true });
    }
  }
  throw new DataDirBusyError(`could not lock ${dataDir}: another process keeps taking ${lockFileName}`);
}

/** The pid in a lock or info file, if it holds one. */
export function ownerOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
