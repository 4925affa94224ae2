/** Where a project's data lives and how to find a running Jeff for it. */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defaultPort, defaultRegion } from "../server/defaults.js";
import { envVars } from "../server/env-vars.js";
import { type ServerInfo, serverInfoFile } from "../server/server-info.js";
import { resolveDataDir } from "../store/index.js";

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
