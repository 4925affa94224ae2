/**
 * `jeff backup FILE`: a consistent copy of the embedded store, taken while Jeff runs. Restore it by
 * putting it in an empty data directory as `jeff.db` and starting Jeff there. A store on
 * PostgreSQL is backed up with PostgreSQL's own tools (pg_dump).
 */
import { resolve } from "node:path";
import { envVars } from "../../server/env-vars.js";
import { backupSqliteStore, describePostgresUrl } from "../../store/index.js";
import { CliError, createOutput } from "../output.js";
import { dataDirFor } from "../project.js";

export async function runBackup(file: string, flags: { dataDir?: string; json?: boolean }): Promise<void> {
  const out = createOutput(flags.json === true);
  const store = process.env[envVars.store];
  if (store) {
    throw new CliError(
      `the store is in PostgreSQL (${describePostgresUrl(store)}): back it up with pg_dump; jeff backup copies the embedded SQLite store`,
    );
  }
  const dataDir = dataDirFor(process.cwd(), flags.dataDir);
  const destination = resolve(file);
  try {
    const { pages } = await backupSqliteStore(dataDir, destination);
    out.result(`Backed up ${dataDir} to ${destination} (${pages} pages)`, {
      dataDir,
      file: destination,
      pages,
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
