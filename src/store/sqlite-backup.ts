/**
 * An online backup of the embedded store: SQLite's backup API copies the database page by page
 * through a connection of its own, so a running Jeff goes on serving (and writing) meanwhile, and
 * the copy is one consistent moment of it.
 */
import { closeSync, constants, existsSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sqliteFileName } from "./open-store.js";
import { StoreMisuseError } from "./store-errors.js";

/** Copies the store in `dataDir` to `destination`, a new file readable by its owner only. */
export async function backupSqliteStore(dataDir: string, destination: string): Promise<{ pages: number }> {
  const source = join(dataDir, sqliteFileName);
  if (!existsSync(source))
    throw new StoreMisuseError(`no Jeff store in ${dataDir} (${source} does not exist)`);
  try {
    // 0600 before SQLite writes into it: the copy holds the keys' secrets, as the store does.
    closeSync(openSync(destination, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new StoreMisuseError(`${destination} exists already; name a new file`);
    }
    throw error;
  }
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(destination);
    return { pages: totalPages };
  } catch (error) {
    rmSync(destination, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
