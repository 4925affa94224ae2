/**
 * @module functions
 * Functions: the Lambda API (restJson1), deployment packages unpacked into code folders, and the
 * execution environments that run invocations as OS processes speaking the Lambda Runtime API.
 * Its parts, each entered through its own index.ts, depend one way: `code/` (packages) ←
 * `records/` (what the store holds) ← `execution/` (running) ← `async/` (queued invocations) ←
 * `invoke.ts` (the one way to invoke) ← `api/` (the Lambda API and the resource types).
 * `lambda-errors.ts` is every part's.
 *
 * Invariant: nothing in a deployment package reaches outside its code folder (no escaping paths or
 * symbolic links), and a function's process never inherits Jeff's own environment.
 */
export {
  createLambdaService,
  type FunctionResourceOptions,
  functionResources,
  type InvokeOnBehalf,
  type LambdaServiceOptions,
  type OnBehalfInvocation,
} from "./api/index.js";
export type { BusEvent, PutOnBus } from "./async/index.js";
export {
  packagesDirIn,
  packageUploadPath,
  sweepUnneeded,
  sweepUnusedCode,
  sweepUnusedPackages,
  zipDirectory,
} from "./code/index.js";
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
export {
  createInvoke,
  type InvocationType,
  type Invoke,
  type InvokeDependencies,
  type InvokeOptions,
  type InvokeOutcome,
} from "./invoke.js";
export { type FunctionScope, type FunctionTarget, referenceOf, resolveTarget } from "./records/index.js";
export { functionsSubsystem } from "./subsystem.js";
