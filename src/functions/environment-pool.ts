/**
 * The execution environments of every function: taken warm when one is idle, started on demand
 * when none is (a cold start), ended after `idleTimeoutMs` without work — zero to N and back to
 * zero. Invocations run in parallel, each in its own environment.
 *
 * Invariant: an environment only ever serves the exact configuration it was started for (same
 * function, code hash, handler, memory, timeout and variables).
 */
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import type { Logger } from "../ops/index.js";
import {
  ExecutionEnvironment,
  type FunctionSpec,
  type InvocationRequest,
  type InvocationResult,
} from "./execution-environment.js";
import { sortedVariables } from "./function-config.js";
import { checkRuntime } from "./runtimes/runtime-launch.js";
import type { Isolation } from "./sandbox/isolation.js";

export type { FunctionSpec, InvocationRequest, InvocationResult } from "./execution-environment.js";

export interface EnvironmentPoolOptions {
  readonly idleTimeoutMs: number;
  /** Per-environment tmp folders go under it. */
  readonly workDir: string;
  /** How environments are isolated (sandbox/isolation.ts); plain processes when absent. */
  readonly isolation?: Isolation;
  /** AWS_ENDPOINT_URL, credentials, region…: set in every environment. */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  readonly logger?: Logger;
  /**
   * `jeff dev --inspect NAME`: these functions' Node environments listen for a debugger, the first
   * on `port`, the next free port above it for each more, and may run for Lambda's longest
   * timeout (900 s) so a pause at a breakpoint does not end the invocation.
   */
  readonly inspect?: { readonly functions: readonly string[]; readonly port: number };
}

export interface PoolStats {
  readonly total: number;
  readonly busy: number;
  readonly idle: number;
  /** By function ARN (unqualified, as in FunctionSpec.arn). */
  readonly byFunction: Record<string, { busy: number; idle: number }>;
}

interface Tracked {
  readonly env: ExecutionEnvironment;
  readonly key: string;
  idleTimer?: NodeJS.Timeout;
}

export class EnvironmentPool {
  readonly #options: EnvironmentPoolOptions;
  readonly #all = new Map<ExecutionEnvironment, Tracked>();
  /** Idle environments by configuration key, most recently used last. */
  readonly #idle = new Map<string, Tracked[]>();
  #closed = false;
  /** Debugger ports held by live environments. */
  readonly #inspectPorts = new Set<number>();

  constructor(options: EnvironmentPoolOptions) {
    this.#options = options;
  }

  async invoke(spec: FunctionSpec, request: InvocationRequest): Promise<InvocationResult> {
    if (this.#closed) throw new Error("the environment pool is closed");
    checkRuntime(spec.runtime);
    const key = configurationKey(spec);
    const tracked = this.#takeIdle(key) ?? (await this.#startEnvironment(spec, key));
    try {
      return await tracked.env.invoke(request);
    } finally {
      if (tracked.env.state === "idle") this.#release(tracked);
    }
  }

  /** The code folders live environments run: the sweep leaves them. */
  codeDirsInUse(): Set<string> {
    return new Set([...this.#all.keys()].map((env) => env.spec.codeDir));
  }

  stats(): PoolStats {
    let busy = 0;
    let idle = 0;
    const byFunction: Record<string, { busy: number; idle: number }> = {};
    for (const { env } of this.#all.values()) {
      const counts = byFunction[env.spec.arn] ?? { busy: 0, idle: 0 };
      byFunction[env.spec.arn] = counts;
      if (env.state === "idle") {
        idle++;
        counts.idle++;
      } else {
        busy++;
        counts.busy++;
      }
    }
    return { total: busy + idle, busy, idle, byFunction };
  }

  /** Ends every environment; used on shutdown. Invocations in flight fail with Runtime.ExitError. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#all.keys()].map((env) => env.kill()));
  }

  #takeIdle(key: string): Tracked | undefined {
    const stack = this.#idle.get(key);
    const tracked = stack?.pop();
    if (stack?.length === 0) this.#idle.delete(key);
    if (tracked) clearTimeout(tracked.idleTimer);
    return tracked;
  }

  async #startEnvironment(spec: FunctionSpec, key: string): Promise<Tracked> {
    this.#retireStale(spec, key);
    const inspectPort = await this.#inspectPortFor(spec);
    const launched = inspectPort === undefined ? spec : { ...spec, inspectPort, timeoutSeconds: 900 };
    let env: ExecutionEnvironment;
    try {
      env = await ExecutionEnvironment.start(launched, this.#options);
    } catch (error) {
      if (inspectPort !== undefined) this.#inspectPorts.delete(inspectPort);
      throw error;
    }
    const tracked: Tracked = { env, key };
    this.#all.set(env, tracked);
    env.onDeath(() => {
      if (inspectPort !== undefined) this.#inspectPorts.delete(inspectPort);
      this.#forget(tracked);
    });
    if (inspectPort !== undefined) {
      this.#options.logger?.info("debugger port open", { function: spec.name, port: inspectPort });
    }
    if (this.#closed) {
      await env.kill();
      throw new Error("the environment pool is closed");
    }
    this.#options.logger?.debug("execution environment started", {
      function: spec.name,
      environment: env.id,
    });
    return tracked;
  }

  /** The next port from `inspect.port` that neither this pool nor anything else on the machine holds. */
  async #inspectPortFor(spec: FunctionSpec): Promise<number | undefined> {
    const inspect = this.#options.inspect;
    if (!inspect?.functions.includes(spec.name) || !spec.runtime.startsWith("nodejs")) return undefined;
    for (let port = inspect.port; port < inspect.port + 100 && port <= 65_535; port++) {
      if (this.#inspectPorts.has(port)) continue;
      this.#inspectPorts.add(port);
      if (await portIsFree(port)) return port;
      this.#inspectPorts.delete(port);
    }
    throw new Error(`no free debugger port from ${inspect.port} for ${spec.name}`);
  }

  #release(tracked: Tracked): void {
    if (this.#closed) {
      void tracked.env.kill();
      return;
    }
    const stack = this.#idle.get(tracked.key) ?? [];
    stack.push(tracked);
    this.#idle.set(tracked.key, stack);
    tracked.idleTimer = setTimeout(() => {
      this.#options.logger?.debug("execution environment idle, ending it", { environment: tracked.env.id });
      void tracked.env.kill();
    }, this.#options.idleTimeoutMs);
    tracked.idleTimer.unref();
  }

  /**
   * A new configuration of a function's `$LATEST` (or of a version, though versions never change)
   * makes its idle environments for older ones useless; other versions' environments stay.
   */
  #retireStale(spec: FunctionSpec, key: string): void {
    for (const [otherKey, stack] of this.#idle) {
      const other = stack[0]?.env.spec;
      if (otherKey === key || other?.arn !== spec.arn || other.version !== spec.version) continue;
      this.#idle.delete(otherKey);
      for (const tracked of stack) {
        clearTimeout(tracked.idleTimer);
        void tracked.env.kill();
      }
    }
  }

  #forget(tracked: Tracked): void {
    clearTimeout(tracked.idleTimer);
    this.#all.delete(tracked.env);
    const stack = this.#idle.get(tracked.key);
    if (!stack) return;
    const index = stack.indexOf(tracked);
    if (index >= 0) stack.splice(index, 1);
    if (stack.length === 0) this.#idle.delete(tracked.key);
  }
}

function configurationKey(spec: FunctionSpec): string {
  const environment = sortedVariables(spec.environment);
  const parts = [
    spec.arn,
    spec.version,
    spec.runtime,
    spec.handler,
    spec.codeDir,
    spec.codeSha256,
    spec.timeoutSeconds,
    spec.memoryMb,
    environment,
    spec.allow ?? [],
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}
