/**
 * @module functions
 * Functions: the Lambda API (restJson1), deployment packages unpacked into code folders, and the
 * execution environments that run invocations as OS processes speaking the Lambda Runtime API.
 *
 * Invariant: nothing in a deployment package reaches outside its code folder (no escaping paths or
 * symbolic links), and a function's process never inherits Jeff's own environment.
 */
export { packagesDirIn, savePackage, sweepUnneeded, sweepUnusedCode, zipDirectory } from "./code/index.js";
export { ConcurrencyGate } from "./concurrency-gate.js";
export {
  type EnvironmentCredentials,
  EnvironmentPool,
  type EnvironmentPoolOptions,
  type FunctionSpec,
  type PoolStats,
  type SandboxAllowance,
  sandboxAllowances,
} from "./environment-pool.js";
export { FunctionMetrics } from "./function-metrics.js";
export { type FunctionResourceOptions, functionResources } from "./function-resource.js";
export { createLambdaService, type LambdaServiceOptions } from "./lambda-service.js";
export {
  chooseIsolation,
  type Isolation,
  type IsolationMode,
  IsolationUnavailableError,
} from "./sandbox/index.js";
export { functionsSubsystem } from "./subsystem.js";
