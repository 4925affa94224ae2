/**
 * @module functions/execution/sandbox
 * The sandbox every execution environment runs in: its own namespaces (bubblewrap), a cgroup, and
 * a network (pasta) that reaches the world and only the loopback ports named for it.
 *
 * Invariant: no code of a function runs outside its limits or its network, and ending the
 * sandbox ends every process in it.
 */
export {
  chooseIsolation,
  type Isolation,
  type IsolationMode,
  IsolationUnavailableError,
  type SandboxIsolation,
} from "./isolation.js";
export { SandboxedProcess, type SandboxRequest, sandboxPaths } from "./sandboxed-process.js";
export { testIsolation } from "./test-isolation.js";
