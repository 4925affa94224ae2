/**
 * @module functions
 * Functions: the Lambda API (restJson1), deployment packages unpacked into code folders, and the
 * execution environments that run invocations as OS processes speaking the Lambda Runtime API.
 *
 * Invariant: nothing in a deployment package reaches outside its code folder (no escaping paths or
 * symbolic links), and a function's process never inherits Jeff's own environment.
 */

export {
  createLambdaService,
  type FunctionResourceOptions,
  functionResources,
  type LambdaServiceOptions,
} from "./api/index.js";
export { packagesDirIn, savePackage, sweepUnneeded, sweepUnusedCode, zipDirectory } from "./code/index.js";
export {
  ConcurrencyGate,
  chooseIsolation,
  type EnvironmentCredentials,
  EnvironmentPool,
  type EnvironmentPoolOptions,
  FunctionMetrics,
  type FunctionSpec,
  type Isolation,
  type IsolationMode,
  IsolationUnavailableError,
  type PoolStats,
  type SandboxAllowance,
  sandboxAllowances,
} from "./execution/index.js";
export { functionsSubsystem } from "./subsystem.js";
