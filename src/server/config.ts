/**
 * The server's configuration, validated once at start: unknown keys are refused, defaults live in
 * one place, and the result is frozen.
 */
import { z } from "zod";
import { defaultReplayStartDelayMs } from "../events/index.js";
import { sandboxAllowances } from "../functions/index.js";
import { defaultPort, defaultRegion } from "./defaults.js";
import { parseAllowance } from "./outbound-http.js";

const serverConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).default(defaultPort),
  host: z.string().min(1).default("127.0.0.1"),
  dataDir: z.string().min(1),
  /**
   * The store: absent for the embedded SQLite file in the data directory, or a PostgreSQL URL
   * (`postgres://user:password@host:5432/database`) that several Jeff nodes may share.
   */
  store: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (leave it out for the embedded SQLite store)")
    .optional(),
  /** Connections to PostgreSQL at most, with `store`. */
  storePoolSize: z.number().int().min(2).max(1000).default(10),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must look like us-east-1")
    .default(defaultRegion),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  logFormat: z.enum(["pretty", "json"]).default(process.stderr.isTTY ? "pretty" : "json"),
  /** Request bodies above this are refused with 413 before they are read in full. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Function invocations in flight across the account at most, as Lambda's account limit. */
  functionConcurrency: z.number().int().min(100).default(1000),
  /** The wait before the first retry of a failed asynchronous invocation; the second waits twice as long (Lambda: about 1 and 2 minutes). */
  functionRetryDelayMs: z.number().int().nonnegative().default(60_000),
  /**
   * How long UpdateFunctionCode and UpdateFunctionConfiguration leave `LastUpdateStatus`
   * `InProgress`, refusing another update meanwhile as Lambda does (it takes seconds there); 0
   * completes every update at once.
   */
  functionUpdateMs: z.number().int().nonnegative().max(60_000).default(1000),
  /** How long a function's execution environment stays warm without work before it is reaped. */
  functionIdleMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /**
   * Start one execution environment of a function ahead of need whenever it is created or its code
   * or configuration changes, so its first invocation is warm (`--prestart`; `jeff dev`'s default).
   */
  prestartEnvironments: z.boolean().default(false),
  /**
   * Pooled slots: sandboxed Node and Python runtimes started before any function is assigned to
   * them, kept this many per (runtime, memory, /tmp) in use, so a cold start loads code instead of
   * starting a process (`--warm-pool N`; `jeff dev`'s default is 1, `jeff serve`'s 0).
   */
  functionPoolSlots: z.number().int().min(0).max(8).default(0),
  /** `jeff dev --inspect NAME`: functions whose Node environments listen for a debugger. */
  inspectFunctions: z.array(z.string().min(1)).default([]),
  /** The first debugger port; each further environment of an inspected function takes the next. */
  inspectPort: z.number().int().min(1).max(65_535).default(9229),
  /**
   * How execution environments are isolated: `sandbox` (namespaces, cgroups, own network; Jeff
   * refuses to start where it cannot build one), `process` (the operator accepts plain processes),
   * or `auto` (the sandbox where possible, else `process` with a warning: `jeff dev`'s default).
   */
  isolation: z.enum(["sandbox", "process", "auto"]).default("sandbox"),
  /**
   * Ports on the host's loopback that sandboxed functions may reach besides Jeff's API (a local
   * database a developer's functions use, say). None by default: the rest of the host's loopback
   * (the store's PostgreSQL, other environments, debuggers) stays out of reach.
   */
  functionLoopbackPorts: z.array(z.number().int().min(1).max(65_535)).default([]),
  /**
   * Addresses on loopback, link-local or private networks that HTTP targets (API destinations)
   * may reach: `127.0.0.1:8080`, `10.0.0.0/8`, `[::1]:8080`. None by default, since a caller —
   * a function with its role's credentials, say — chooses where they send.
   */
  httpTargetAllow: z
    .array(
      z.string().superRefine((text, ctx) => {
        try {
          parseAllowance(text);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    )
    .default([]),
  /**
   * By function name, what its Node sandbox also allows (`--sandbox-allow NAME=child-process`).
   * Only the operator widens a sandbox: nothing a caller of the API sends (a tag, a variable)
   * does, since a function holds credentials to that API itself.
   */
  sandboxAllow: z
    .record(
      z.string().regex(/^[a-zA-Z0-9-_]{1,64}$/),
      z.array(
        z.enum(sandboxAllowances, {
          error: (issue) => `'${String(issue.input)}' is not one of ${sandboxAllowances.join(", ")}`,
        }),
      ),
      {
        error: (issue) =>
          issue.code === "invalid_key"
            ? "is not a function name (1-64 of a-z, A-Z, 0-9, - and _)"
            : undefined,
      },
    )
    .default({}),
  /**
   * How long an EventBridge replay stays STARTING before its events go out (AWS takes a minute or
   * more; a replay can be cancelled until then).
   */
  replayStartDelayMs: z.number().int().nonnegative().default(defaultReplayStartDelayMs),
  /** How long function logs are kept. */
  logRetentionDays: z.number().positive().default(7),
  /** How long the audit trail keeps a call's record: CloudTrail's event history keeps 90 days. */
  auditRetentionDays: z.number().positive().default(90),
  /** How long shutdown waits for in-flight requests before closing their connections. */
  shutdownGraceMs: z.number().int().nonnegative().default(10_000),
});

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = Readonly<z.output<typeof serverConfigSchema>>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const result = serverConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join(".") || "config";
    throw new ConfigError(`${field}: ${issue?.message ?? "invalid"}`);
  }
  return Object.freeze(result.data);
}
