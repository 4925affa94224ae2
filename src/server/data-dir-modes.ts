/**
 * The data directory holds every access key's secret, so only Jeff's own user may read it. New
 * directories and store files are created that way (0700 and 0600); this check refuses to start on
 * one that is open to the group or to everyone, as an older Jeff made `jeff.db` (0644), and says
 * the command that fixes it. Jeff never loosens or tightens a mode itself: the owner decides.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { sqliteFileName } from "../store/index.js";

export class DataDirModeError extends Error {
  override readonly name = "DataDirModeError";
}

/** The store file and the journal files SQLite keeps beside it (they hold the same data). */
const storeFiles = [sqliteFileName, `${sqliteFileName}-wal`, `${sqliteFileName}-shm`];

/** Throws DataDirModeError if the data directory or a store file in it is group- or world-accessible. */
export async function checkDataDirModes(dataDir: string): Promise<void> {
  const dirMode = await modeOf(dataDir);
  // A directory that does not exist yet is created 0700 by whoever makes it first.
  if (dirMode === undefined) return;
  const problems: string[] = [];
  const fixes: string[] = [];
  if ((dirMode & 0o077) !== 0) {
    problems.push(`${dataDir} is mode ${octal(dirMode)}`);
    fixes.push(`chmod 700 ${shellQuote(dataDir)}`);
  }
  const openFiles: string[] = [];
  for (const name of storeFiles) {
    const path = join(dataDir, name);
    const mode = await modeOf(path);
    if (mode !== undefined && (mode & 0o077) !== 0) {
      problems.push(`${path} is mode ${octal(mode)}`);
      openFiles.push(shellQuote(path));
    }
  }
  if (openFiles.length > 0) fixes.push(`chmod 600 ${openFiles.join(" ")}`);
  if (problems.length === 0) return;
  throw new DataDirModeError(
    `refusing to use a data directory other users can read (${problems.join(", ")}); ` +
      `it holds the access keys' secrets. Fix it with: ${fixes.join(" && ")}`,
  );
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;

/** A path as it can be pasted into a POSIX shell. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
