/** `jeff serve`: run the API edge until SIGINT or SIGTERM. */
import type { ServerConfigInput } from "../../server/config.js";
import { envVars } from "../../server/env-vars.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { createOutput } from "../output.js";
import { dataDirFor } from "../project.js";

export interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  /** `--store postgres://…`, else `$JEFF_STORE`; absent: the SQLite file in the data directory. */
  store?: string;
  storePoolSize?: string;
  logLevel?: string;
  json?: boolean;
  /** `jeff dev --inspect NAME…` and `--inspect-port`. */
  inspect?: string[];
  inspectPort?: string;
  /** `sandbox`, `process` or `auto`; `jeff dev` passes `auto` unless told otherwise. */
  isolation?: string;
  /** `--prestart` (serve) or `--no-prestart` (dev, where it is on by default). */
  prestart?: boolean;
  /** `--warm-pool N`: pooled slots per kind in use; `jeff dev` passes 1 unless told otherwise. */
  warmPool?: string;
  /** `--function-loopback-port PORT` (repeatable), or JEFF_FUNCTION_LOOPBACK_PORTS. */
  functionLoopbackPort?: string[];
  /** `--http-target-allow ADDRESS` (repeatable), or JEFF_HTTP_TARGET_ALLOW. */
  httpTargetAllow?: string[];
  /** `--sandbox-allow NAME=child-process,worker…`, repeatable; else `$JEFF_SANDBOX_ALLOW`. */
  sandboxAllow?: string[];
}

/** The flag when given, else `$JEFF_FUNCTION_PRESTART`, else the config's default (off). */
function prestartFrom(flag: boolean | undefined): { prestartEnvironments?: boolean } {
  if (flag !== undefined) return { prestartEnvironments: flag };
  const value = process.env[envVars.functionPrestart];
  if (value === undefined || value === "") return {};
  return { prestartEnvironments: value === "1" || value.toLowerCase() === "true" };
}

/** The flag when given, else `$JEFF_FUNCTION_POOL`, else the config's default (none). */
function warmPoolFrom(flag: string | undefined): { functionPoolSlots?: number } {
  const value = flag ?? process.env[envVars.functionPool];
  if (value === undefined || value === "") return {};
  const slots = Number(value);
  if (!Number.isInteger(slots) || slots < 0 || slots > 8)
    throw new Error(
      `--warm-pool (or $${envVars.functionPool}) must be a whole number from 0 to 8, not ${value}`,
    );
  return { functionPoolSlots: slots };
}

/** `jeff serve`: serve until SIGINT or SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const server = await serveProject(process.cwd(), flags);
  await untilSignalled(server);
}

export async function serveProject(projectDir: string, flags: ServeFlags): Promise<RunningServer> {
  const out = createOutput(flags.json === true);
  const server = await startServer({
    dataDir: dataDirFor(projectDir, flags.dataDir),
    ...storeFrom(flags),
    ...(flags.port !== undefined ? { port: parsePort(flags.port) } : {}),
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(flags.logLevel !== undefined ? { logLevel: flags.logLevel as "info" } : {}),
    ...(process.env[envVars.logFormat] ? { logFormat: process.env[envVars.logFormat] as "json" } : {}),
    ...(process.env[envVars.region] ? { region: process.env[envVars.region] } : {}),
    ...(flags.inspect?.length ? { inspectFunctions: flags.inspect } : {}),
    ...(flags.inspectPort !== undefined
      ? { inspectPort: parsePort(flags.inspectPort, "--inspect-port") }
      : {}),
    ...(flags.isolation !== undefined ? { isolation: flags.isolation as "sandbox" } : {}),
    ...loopbackPortsFrom(flags.functionLoopbackPort),
    ...httpTargetAllowFrom(flags.httpTargetAllow),
    ...sandboxAllowFrom(flags.sandboxAllow),
    ...prestartFrom(flags.prestart),
    ...warmPoolFrom(flags.warmPool),
    ...numberFromEnv("functionIdleMs", envVars.functionIdleMs),
    ...numberFromEnv("functionRetryDelayMs", envVars.functionRetryDelayMs),
    ...numberFromEnv("functionUpdateMs", envVars.functionUpdateMs),
    ...numberFromEnv("replayStartDelayMs", envVars.replayStartDelayMs),
  });
  out.result(`Jeff is listening on ${out.bold(server.url)} (account ${server.installation.accountId})`, {
    url: server.url,
    port: server.port,
    accountId: server.installation.accountId,
    dataDir: server.config.dataDir,
  });
  return server;
}

/** The `--store` and `--store-pool-size` flags, else their environment variables. */
function storeFrom(flags: ServeFlags): Pick<ServerConfigInput, "store" | "storePoolSize"> {
  const store = flags.store || process.env[envVars.store] || undefined;
  const poolSize = flags.storePoolSize ?? process.env[envVars.storePoolSize];
  return {
    ...(store === undefined ? {} : { store }),
    ...(poolSize === undefined || poolSize === ""
      ? {}
      : { storePoolSize: parseWhole(poolSize, "--store-pool-size") }),
  };
}

/** Resolves once the server has shut down after SIGINT or SIGTERM. */
export function untilSignalled(
  server: RunningServer | undefined,
  onStop?: () => Promise<void>,
): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void (async () => {
        await onStop?.();
        await server?.close();
        resolve();
      })();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** A numeric setting from the environment; the config schema checks its range. */
function numberFromEnv<K extends string>(key: K, name: string): Partial<Record<K, number>> {
  const text = process.env[name];
  if (text === undefined || text === "") return {};
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not '${text}'`);
  return { [key]: value } as Partial<Record<K, number>>;
}

/**
 * The operator's sandbox setting from `--sandbox-allow` (each `NAME=WHAT[,WHAT…]`), or else from
 * `$JEFF_SANDBOX_ALLOW` (the same entries, separated by spaces or semicolons). The config schema
 * checks the names and the words.
 */
function sandboxAllowFrom(flags: readonly string[] | undefined): Pick<ServerConfigInput, "sandboxAllow"> {
  const fromEnv = process.env[envVars.sandboxAllow];
  const [entries, source] = flags?.length
    ? [flags, "--sandbox-allow"]
    : [fromEnv?.split(/[\s;]+/).filter(Boolean) ?? [], envVars.sandboxAllow];
  if (entries.length === 0) return {};
  const allow: Record<string, string[]> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    const words = entry
      .slice(at + 1)
      .split(/[\s,]+/)
      .filter(Boolean);
    if (at < 1 || words.length === 0)
      throw new Error(`${source}: '${entry}' must be FUNCTION=ALLOWANCE[,ALLOWANCE…]`);
    allow[name] = [...new Set([...(allow[name] ?? []), ...words])];
  }
  return { sandboxAllow: allow as ServerConfigInput["sandboxAllow"] };
}

/** The flag's ports, or else JEFF_FUNCTION_LOOPBACK_PORTS (separated by commas or spaces). */
function loopbackPortsFrom(flags: readonly string[] | undefined): { functionLoopbackPorts?: number[] } {
  const [texts, source] = flags?.length
    ? [flags, "--function-loopback-port"]
    : [
        process.env[envVars.functionLoopbackPorts]?.split(/[\s,]+/).filter(Boolean) ?? [],
        envVars.functionLoopbackPorts,
      ];
  if (texts.length === 0) return {};
  return { functionLoopbackPorts: texts.map((text) => parsePort(text, source)) };
}

/** The flag's addresses, or else JEFF_HTTP_TARGET_ALLOW (separated by commas or spaces). */
function httpTargetAllowFrom(
  flags: readonly string[] | undefined,
): Pick<ServerConfigInput, "httpTargetAllow"> {
  const entries = flags?.length
    ? flags
    : (process.env[envVars.httpTargetAllow]?.split(/[\s,]+/).filter(Boolean) ?? []);
  return entries.length === 0 ? {} : { httpTargetAllow: [...entries] };
}

function parseWhole(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${flag} must be a whole number, not '${text}'`);
  return value;
}

function parsePort(text: string, flag = "--port"): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${flag} must be a number from 0 to 65535, not '${text}'`);
  return port;
}
