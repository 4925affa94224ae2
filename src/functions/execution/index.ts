/**
 * @module functions/execution
 * Running functions: the environment pool hands each invocation to a warm execution environment
 * (one sandboxed process speaking the Runtime API to `runtime-api-server.ts`), within the account's
 * and the function's concurrency; each runtime's launch and client live under `runtimes/`, the
 * sandbox under `sandbox/`; every invocation's metrics and log go out from here.
 *
 * Invariant: an environment serves one configuration, one invocation at a time, and inherits
 * nothing of Jeff's own environment.
 */
export { ConcurrencyGate } from "./concurrency-gate.js";
export {
  type EnvironmentCredentials,
  EnvironmentPool,
  type EnvironmentPoolOptions,
  type FunctionSpec,
  type InvocationResult,
  type PoolStats,
  type SandboxAllowance,
  sandboxAllowances,
} from "./environment-pool.js";
export { FunctionMetrics } from "./function-metrics.js";
export { specOf } from "./function-spec.js";
export { recordInvocationLog } from "./invocation-log.js";
export {
  chooseIsolation,
  type Isolation,
  type IsolationMode,
  IsolationUnavailableError,
} from "./sandbox/index.js";
