/**
 * The execution environments of every function: taken warm when one is idle, started on demand
 * when none is (a cold start), ended after `idleTimeoutMs` without work — zero to N and back to
 * zero. Invocations run in parallel, each in its own environment.
 *
 * Each environment gets credentials of its own, a session of the function's execution role
 * (`credentialsFor`), as Lambda's do. Like Lambda, the pool recycles an environment before its
 * credentials lapse: one is never given an invocation that could outlast them, and an idle one is
 * ended once it could not take another.
 *
 * With `warmSlots`, a cold start need not start a process: the pool keeps that many pooled slots
 * (slot-pool.ts) per kind in recent use — a runtime already started in its sandbox, with an empty
 * code folder of its own — and gives the new environment one of them, then starts another.
 * `prestart` takes a slot the same way.
 *
 * Invariant: an environment only ever serves the exact configuration it was started (or, from a
 * slot, assigned) for (same function, role, code hash, handler, memory, timeout and variables),
 * a slot serves no other function after it, and what its sandbox allows comes from the operator
 * (`sandboxAllow`), never from the function's configuration or tags.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import type { Logger } from "../../ops/index.js";
import { sortedVariables } from "../records/index.js";
import {
  type FunctionSpec as EnvironmentSpec,
  ExecutionEnvironment,
  type InvocationRequest,
  type InvocationResult,
  type SlotSpec,
} from "./execution-environment.js";
import { checkRuntime } from "./runtimes/runtime-launch.js";
import type { Isolation } from "./sandbox/index.js";
import { type SlotCounts, SlotPool, slotKindOf } from "./slot-pool.js";

export type { InvocationRequest, InvocationResult } from "./execution-environment.js";

/** What a Node function's sandbox can be allowed beyond its defaults, each a Node permission flag. */
export const sandboxAllowances = ["child-process", "worker", "addons", "wasi"] as const;
export type SandboxAllowance = (typeof sandboxAllowances)[number];

/**
 * A function as the pool runs it: its configuration and the execution role its environments'
 * credentials are a session of. The sandbox's allowances and the debugger port are not the
 * caller's to give; the pool adds them from its options.
 */
export interface FunctionSpec extends Omit<EnvironmentSpec, "allow" | "inspectPort"> {
  /**
   * arn:aws:iam::ACCOUNT:role/NAME. Every function has one (`specOf` always sets it); it is
   * optional here only for pools that hand out no credentials, as in the runtimes' own tests.
   */
  readonly role?: string;
}

/** An environment's own credentials: the variables that carry them, and when they lapse. */
export interface EnvironmentCredentials {
  /** `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. */
  readonly variables: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

/**
 * How long an environment's credentials must outlast an invocation's timeout for the environment
 * to be given it: an invocation never starts with credentials that could lapse while it runs.
 */
export const credentialMarginMs = 5 * 60_000;

export interface EnvironmentPoolOptions {
  readonly idleTimeoutMs: number;
  /** Per-environment tmp folders go under it. */
  readonly workDir: string;
  /** How environments are isolated (sandbox/isolation.ts); plain processes when absent. */
  readonly isolation?: Isolation;
  /** Host loopback ports sandboxed functions may also reach (the operator's setting). */
  readonly loopbackPorts?: readonly number[];
  /** AWS_ENDPOINT_URL, region…: set in every environment. */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /**
   * Credentials for one new environment of `spec`, set over `baseEnvironment`; called once per
   * environment, never shared between two.
   */
  readonly credentialsFor?: (spec: FunctionSpec) => Promise<EnvironmentCredentials>;
  /**
   * The folder holding `spec`'s code on this node, made ready (unpacked from the store) if need be;
   * called before each new environment starts. Default: `spec.codeDir` as it is.
   */
  readonly codeFor?: (spec: FunctionSpec) => Promise<string>;
  /** The operator's setting: by function name, what its Node sandbox also allows. */
  readonly sandboxAllow?: Readonly<Record<string, readonly SandboxAllowance[]>>;
  readonly logger?: Logger;
  /**
   * `jeff dev --inspect NAME`: these functions' Node environments listen for a debugger, the first
   * on `port`, the next free port above it for each more, and may run for Lambda's longest
   * timeout (900 s) so a pause at a breakpoint does not end the invocation.
   */
  readonly inspect?: { readonly functions: readonly string[]; readonly port: number };
  /**
   * Pooled slots kept ready per kind (runtime, memory, /tmp size, allowances) while that kind is
   * in use (`idleTimeoutMs` since it was last wanted); 0 or absent: none. Sandboxed Node and
   * Python environments only.
   */
  readonly warmSlots?: number;
}

export interface PoolStats {
  readonly total: number;
  readonly busy: number;
  readonly idle: number;
  /** Environments started ahead of need whose init has run, since the pool opened. */
  readonly prestarted: number;
  /** Pooled slots not yet assigned, by kind: `ready` once the runtime stands by, `starting` before. */
  readonly slots: readonly SlotCounts[];
  /** Environments that began as a pooled slot (a cold start without a process start), since the pool opened. */
  readonly fromSlots: number;
  /** By function ARN (unqualified, as in FunctionSpec.arn). */
  readonly byFunction: Record<string, { busy: number; idle: number }>;
}

interface Tracked {
  readonly env: ExecutionEnvironment;
  readonly key: string;
  /** When the environment's credentials lapse (epoch ms); none without `credentialsFor`. */
  readonly credentialsExpireAt?: number;
  /** Started for a kind of slot: the pool makes that kind's slots up once this one has been used. */
  refill?: () => void;
  idleTimer?: NodeJS.Timeout;
}

interface Prestarting {
  /** Whether an invocation has taken it: then it is that invocation's, not the idle stack's. */
  claimed: boolean;
  readonly started: Promise<Tracked | undefined>;
}

export class EnvironmentPool {
  readonly #options: EnvironmentPoolOptions;
  readonly #all = new Map<ExecutionEnvironment, Tracked>();
  /** Idle environments by configuration key, most recently used last. */
  readonly #idle = new Map<string, Tracked[]>();
  #closed = false;
  /** Debugger ports held by live environments. */
  readonly #inspectPorts = new Set<number>();
  /** Environments being started ahead of need, by configuration key. */
  readonly #prestarting = new Map<string, Prestarting>();
  #prestartedCount = 0;
  readonly #slots: SlotPool;
  #fromSlots = 0;

  constructor(options: EnvironmentPoolOptions) {
    this.#options = options;
    this.#slots = new SlotPool({
      size: options.isolation?.kind === "sandbox" ? (options.warmSlots ?? 0) : 0,
      keepMs: options.idleTimeoutMs,
      start: (kind) => ExecutionEnvironment.startSlot(kind, this.#options),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  async invoke(spec: FunctionSpec, request: InvocationRequest): Promise<InvocationResult> {
    if (this.#closed) throw new Error("the environment pool is closed");
    checkRuntime(spec.runtime);
    const key = configurationKey(spec);
    const tracked =
      this.#takeIdle(key) ?? (await this.#takePrestarted(key)) ?? (await this.#startEnvironment(spec, key));
    try {
      return await tracked.env.invoke(request);
    } finally {
      if (tracked.env.state === "idle") this.#release(tracked);
      this.#refillAfter(tracked);
    }
  }

  /**
   * Starts an environment for `spec` ahead of its first invocation (Lambda's proactive
   * initialization), unless one is idle or starting already: an invocation that arrives while it
   * starts waits for it rather than starting another. It is then idle like any other, and ended
   * after `idleTimeoutMs` without work. A failure to start is logged; the next invocation tries
   * again, as a cold start.
   */
  async prestart(spec: FunctionSpec): Promise<void> {
    if (this.#closed) return;
    checkRuntime(spec.runtime);
    const key = configurationKey(spec);
    if (this.#idle.get(key)?.length || this.#prestarting.has(key)) return;
    const pending: Prestarting = {
      claimed: false,
      started: this.#startEnvironment(spec, key).catch((error: unknown) => {
        this.#options.logger?.warn("could not start an environment ahead of need", {
          function: spec.name,
          error,
        });
        return undefined;
      }),
    };
    this.#prestarting.set(key, pending);
    const tracked = await pending.started;
    // Until its init has run, an invocation may still claim it (and waits for the init).
    const ready = tracked ? await tracked.env.initialised() : false;
    this.#prestarting.delete(key);
    if (ready) this.#prestartedCount++;
    if (tracked) this.#refillAfter(tracked);
    if (!tracked || pending.claimed) return;
    if (ready && tracked.env.state === "idle") this.#release(tracked);
    else void tracked.env.kill();
  }

  /** Once an environment of a kind of slot has done its init and first work, its kind's slots are made up. */
  #refillAfter(tracked: Tracked): void {
    const refill = tracked.refill;
    tracked.refill = undefined;
    refill?.();
  }

  /** The environment being started ahead of need for `key`, once it is up, for one invocation. */
  async #takePrestarted(key: string): Promise<Tracked | undefined> {
    const pending = this.#prestarting.get(key);
    if (!pending || pending.claimed) return undefined;
    pending.claimed = true;
    return pending.started;
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
    return {
      total: busy + idle,
      busy,
      idle,
      prestarted: this.#prestartedCount,
      slots: this.#slots.counts(),
      fromSlots: this.#fromSlots,
      byFunction,
    };
  }

  /** Ends every environment and slot; used on shutdown. Invocations in flight fail with Runtime.ExitError. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...[...this.#all.keys()].map((env) => env.kill()), this.#slots.close()]);
  }

  #takeIdle(key: string): Tracked | undefined {
    const stack = this.#idle.get(key);
    let tracked = stack?.pop();
    // Credentials run out by age, not by use: any of the idle ones may be too close to lapsing.
    while (tracked && this.#usableForMs(tracked) < 0) {
      clearTimeout(tracked.idleTimer);
      void tracked.env.kill();
      tracked = stack?.pop();
    }
    if (stack?.length === 0) this.#idle.delete(key);
    if (tracked) clearTimeout(tracked.idleTimer);
    return tracked;
  }

  /**
   * How much longer the environment may be given invocations: until its credentials would lapse
   * within an invocation's timeout plus the margin (negative once that has passed).
   */
  #usableForMs(tracked: Tracked): number {
    if (tracked.credentialsExpireAt === undefined) return Number.POSITIVE_INFINITY;
    const needed = tracked.env.spec.timeoutSeconds * 1000 + credentialMarginMs;
    return tracked.credentialsExpireAt - needed - Date.now();
  }

  async #startEnvironment(spec: FunctionSpec, key: string): Promise<Tracked> {
    this.#retireStale(spec, key);
    const allow = this.#options.sandboxAllow?.[spec.name] ?? [];
    const inspectPort = await this.#inspectPortFor(spec);
    let env: ExecutionEnvironment;
    let kind: SlotSpec | undefined;
    let credentials: EnvironmentCredentials | undefined;
    try {
      // The code (unpacked if need be) and the credentials (a store write) are independent.
      const [found, issued] = await Promise.all([
        this.#options.codeFor?.(spec),
        this.#options.credentialsFor?.(spec),
      ]);
      const codeDir = found ?? spec.codeDir;
      credentials = issued;
      const launched: EnvironmentSpec =
        inspectPort === undefined
          ? { ...spec, codeDir, allow }
          : { ...spec, codeDir, allow, inspectPort, timeoutSeconds: 900 };
      const baseEnvironment = { ...this.#options.baseEnvironment, ...credentials?.variables };
      kind = inspectPort === undefined ? slotKindOf(launched, allow) : undefined;
      const slot = kind && this.#slots.take(kind);
      const assigned = slot ? await this.#assign(slot, launched, { codeDir, baseEnvironment }) : undefined;
      env = assigned ?? (await ExecutionEnvironment.start(launched, { ...this.#options, baseEnvironment }));
    } catch (error) {
      if (inspectPort !== undefined) this.#inspectPorts.delete(inspectPort);
      throw error;
    }
    const tracked: Tracked = credentials
      ? { env, key, credentialsExpireAt: credentials.expiresAt.getTime() }
      : { env, key };
    if (kind) tracked.refill = () => this.#slots.refill(kind);
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

  /** Gives `slot` to `spec`; on failure (logged) it is gone, and the caller starts a process instead. */
  async #assign(
    slot: ExecutionEnvironment,
    spec: EnvironmentSpec,
    options: { readonly codeDir: string; readonly baseEnvironment: Readonly<Record<string, string>> },
  ): Promise<ExecutionEnvironment | undefined> {
    try {
      await slot.assign(spec, options);
      this.#fromSlots++;
      return slot;
    } catch (error) {
      this.#options.logger?.warn("could not assign a pooled slot; starting an environment instead", {
        function: spec.name,
        error,
      });
      return undefined;
    }
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
    const usableForMs = this.#usableForMs(tracked);
    if (this.#closed || usableForMs < 0) {
      void tracked.env.kill();
      return;
    }
    const stack = this.#idle.get(tracked.key) ?? [];
    stack.push(tracked);
    this.#idle.set(tracked.key, stack);
    // Ended when idle too long, or sooner once its credentials could not see another invocation.
    const endsBy = usableForMs < this.#options.idleTimeoutMs ? "credentials" : "idle";
    tracked.idleTimer = setTimeout(
      () => {
        // Out of the idle stack first, so no invocation takes it while it is being ended.
        this.#leaveIdle(tracked);
        this.#options.logger?.debug(
          endsBy === "idle"
            ? "execution environment idle, ending it"
            : "execution environment's credentials about to lapse, ending it",
          { environment: tracked.env.id },
        );
        void tracked.env.kill();
      },
      Math.min(usableForMs, this.#options.idleTimeoutMs),
    );
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
    this.#all.delete(tracked.env);
    this.#leaveIdle(tracked);
  }

  #leaveIdle(tracked: Tracked): void {
    clearTimeout(tracked.idleTimer);
    const stack = this.#idle.get(tracked.key);
    if (!stack) return;
    const index = stack.indexOf(tracked);
    if (index >= 0) stack.splice(index, 1);
    if (stack.length === 0) this.#idle.delete(tracked.key);
  }
}

/** Keys of the specs seen: a warm invoke of a function kept in memory brings the same spec again. */
const keysOfSpecs = new WeakMap<FunctionSpec, string>();

function configurationKey(spec: FunctionSpec): string {
  let key = keysOfSpecs.get(spec);
  if (key === undefined) {
    key = keyOf(spec);
    keysOfSpecs.set(spec, key);
  }
  return key;
}

function keyOf(spec: FunctionSpec): string {
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
    spec.tmpMb ?? null,
    environment,
    spec.role ?? null,
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
