/** Every environment variable Jeff reads, named once. */
export const envVars = {
  dataDir: "JEFF_DATA_DIR",
  store: "JEFF_STORE",
  storePoolSize: "JEFF_STORE_POOL_SIZE",
  /** The Jeff the CLI's client commands talk to, on this machine or another (`--endpoint`). */
  endpoint: "JEFF_ENDPOINT",
  port: "JEFF_PORT",
  host: "JEFF_HOST",
  logLevel: "JEFF_LOG_LEVEL",
  logFormat: "JEFF_LOG_FORMAT",
  region: "JEFF_REGION",
  functionIdleMs: "JEFF_FUNCTION_IDLE_MS",
  functionRetryDelayMs: "JEFF_FUNCTION_RETRY_DELAY_MS",
  /** How long an update of a function's code or configuration stays InProgress (0: none). */
  functionUpdateMs: "JEFF_FUNCTION_UPDATE_MS",
  /** `1` (or `true`) starts environments ahead of need, as `--prestart`; `0` turns it off. */
  functionPrestart: "JEFF_FUNCTION_PRESTART",
  /** Pooled slots per (runtime, memory, /tmp) in use, as `--warm-pool N`; `0` keeps none. */
  functionPool: "JEFF_FUNCTION_POOL",
  isolation: "JEFF_ISOLATION",
  functionLoopbackPorts: "JEFF_FUNCTION_LOOPBACK_PORTS",
  sandboxAllow: "JEFF_SANDBOX_ALLOW",
  /** How long a replay stays STARTING, in milliseconds (default 10 s). */
  replayStartDelayMs: "JEFF_REPLAY_START_DELAY_MS",
  /** Addresses on private networks HTTP targets may reach, separated by commas or spaces. */
  httpTargetAllow: "JEFF_HTTP_TARGET_ALLOW",
} as const;
