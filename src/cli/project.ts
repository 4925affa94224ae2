/** Where a project's data lives and how to find a running Jeff for it. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { findInstallation, type Installation } from "../identity/index.js";
import { defaultPort, defaultRegion } from "../server/defaults.js";
import { envVars } from "../server/env-vars.js";
import { allMigrations } from "../server/server.js";
import { type ServerInfo, serverInfoFile } from "../server/server-info.js";
import {
  describePostgresUrl,
  openStore,
  postgresStoreExists,
  resolveDataDir,
  sqliteFileName,
} from "../store/index.js";
import { CliError } from "./output.js";

export function dataDirFor(projectDir: string, flag: string | undefined): string {
  return resolve(resolveDataDir({ flag, env: process.env, projectDir: resolve(projectDir) }));
}

/** The running server's endpoint for this data directory, if one is up. */
export async function runningServer(dataDir: string): Promise<ServerInfo | undefined> {
  let info: ServerInfo;
  try {
    info = JSON.parse(await readFile(join(dataDir, serverInfoFile), "utf8")) as ServerInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
  } catch {
    return undefined;
  }
  return info;
}

export function defaultEndpoint(): { url: string; region: string } {
  const port = process.env[envVars.port] ?? String(defaultPort);
  return { url: `http://127.0.0.1:${port}`, region: process.env[envVars.region] ?? defaultRegion };
}

/**
 * The account and developer key of the Jeff whose data lives in `dataDir`, or in the PostgreSQL
 * database `store` names (`--store`, else `$JEFF_STORE`). Never creates a store: keys from a fresh
 * one would belong to no running server.
 */
export async function readInstallation(
  dataDir: string,
  store: string | undefined = process.env[envVars.store] || undefined,
): Promise<Installation> {
  const missing = () =>
    new CliError(
      store === undefined
        ? `no Jeff data in ${dataDir}: start Jeff there first (\`jeff serve\` or \`jeff dev\`), or pass --data-dir`
        : `no Jeff data in the store at ${describePostgresUrl(store)}: start Jeff on it first (\`jeff serve --store\`)`,
    );
  const exists =
    store === undefined ? existsSync(join(dataDir, sqliteFileName)) : await postgresStoreExists(store);
  if (!exists) throw missing();
  const opened = await openStore({ dataDir, migrations: allMigrations, url: store });
  const installation = await findInstallation(opened).finally(() => opened.close());
  if (!installation) throw missing();
  return installation;
}
