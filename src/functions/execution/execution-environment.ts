/**
 * One execution environment: an OS process that speaks the Lambda Runtime API to its own
 * server on loopback, runs one invocation at a time and is reused while it stays healthy.
 * A timeout, an out-of-memory kill, a crash or a failed init ends the process; the pool starts
 * another. Results, error shapes and START/END/REPORT log lines are Lambda's.
 *
 * A pooled slot (`startSlot`) is the same process started before it has a function: its sandbox
 * built around an empty code folder of its own, waiting (`standby`) for `assign`, which fills the
 * folder from outside and sends the variables over the channel; its Init phase starts then.
 *
 * Invariant: the process sees only the variables Lambda sets, the pool's base variables and
 * the user's — never Jeff's own environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "../../ops/index.js";
import { fillCodeFolder } from "./code-fill.js";
import { type RuntimeApiListener, RuntimeApiServer, type RuntimeOutcome } from "./runtime-api-server.js";
import { logEventsOf, ProcessOutput, plainLog } from "./runtimes/process-output.js";
import {
  checkRuntime,
  type LaunchPlace,
  launchFor,
  newLogStreamName,
  placeVariables,
  runtimeChannelFd,
  supportsRuntimeApiPrefix,
} from "./runtimes/runtime-launch.js";
import { type Isolation, SandboxedProcess, sandboxPaths } from "./sandbox/index.js";

export interface FunctionSpec {
  readonly name: string;
  /** arn:aws:lambda:REGION:ACCOUNT:function:NAME */
  readonly arn: string;
  readonly version: string;
  readonly runtime: string;
  /** `file.export`, e.g. `index.handler` or `src/app.handler`. */
  readonly handler: string;
  /** Absolute folder holding the unpacked code; read-only to the function. */
  readonly codeDir: string;
  /** An environment started for other code is never reused for this code. */
  readonly codeSha256: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The size of /tmp (EphemeralStorage), 512 MB unless set. */
  readonly tmpMb?: number;
  readonly environment: Readonly<Record<string, string>>;
  /** What Node's permission model allows beyond its defaults (the operator's `sandboxAllow`): `child-process`, `worker`, `addons`, `wasi`. */
  readonly allow?: readonly string[];
  /** Set by the pool for a function being debugged (`jeff dev --inspect`). */
  readonly inspectPort?: number;
}

/** Optional members may be given as undefined: the warm path builds it as one literal. */
export interface InvocationRequest {
  readonly payload: Buffer;
  readonly requestId: string;
  readonly clientContext?: string | undefined;
  readonly traceId?: string | undefined;
  /** The ARN as invoked (with its version or alias, if any); the spec's unqualified ARN otherwise. */
  readonly invokedFunctionArn?: string | undefined;
}

export interface InvocationResult {
  /** The handler's JSON result, or Lambda's error object. */
  readonly payload: Buffer;
  /** Set when the invocation failed, as X-Amz-Function-Error. */
  readonly functionError?: "Unhandled";
  /** START / END / REPORT lines around what the function wrote. */
  readonly log: string;
  /**
   * The same as the log group's events, each with its newline: one per line, except that a record
   * the runtime client wrote as one (a Python log record or error over several lines, marked as
   * process-output.ts describes) is one event, as on Lambda.
   */
  readonly logEvents: readonly string[];
  readonly durationMs: number;
  /** Only on a cold start. */
  readonly initDurationMs?: number;
  /** The environment's log stream (`YYYY/MM/DD/[$LATEST]…`), where this output belongs. */
  readonly logStreamName: string;
}

export interface EnvironmentOptions {
  /** This environment's own folder is created under it and removed when the process ends. */
  readonly workDir: string;
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** How the process is isolated (sandbox/isolation.ts); a plain process when absent. */
  readonly isolation?: Isolation;
  /**
   * Host loopback ports a sandboxed function may reach besides its Runtime API and Jeff's API
   * (AWS_ENDPOINT_URL): the operator's choice, none by default.
   */
  readonly loopbackPorts?: readonly number[];
  readonly logger?: Logger;
}

/** Lambda's default /tmp (EphemeralStorage) size. */
const tmpBytes = 512 * 1024 * 1024;

/**
 * `standby`: a pooled slot, started, not yet assigned to a function (it runs no function code).
 * `initializing`: the function's init is running.
 */
export type EnvironmentState = "standby" | "initializing" | "idle" | "busy" | "dead";

/** What is fixed when a slot's sandbox starts, so what a function must share to be given it. */
export interface SlotSpec {
  readonly runtime: string;
  readonly memoryMb: number;
  /** /tmp's size (EphemeralStorage), 512 MB unless set. */
  readonly tmpMb?: number;
  /** Node permission flags beyond the defaults (the operator's `sandboxAllow`). */
  readonly allow: readonly string[];
}

/** The runtime client's flag: wait for the configuration frame before loading the handler. */
const awaitConfigFlag = "--await-config";

type InitOutcome =
  | { readonly kind: "ready" }
  | { readonly kind: "init-error"; readonly payload: Buffer; readonly errorType: string | undefined }
  | { readonly kind: "exit" }
  | { readonly kind: "timeout" };

type Ending =
  | { readonly kind: "outcome"; readonly outcome: RuntimeOutcome }
  | { readonly kind: "exit" }
  | { readonly kind: "timeout" }
  | { readonly kind: "out-of-memory" };

/** Lambda's Init phase limit for on-demand functions; a longer timeout extends it. */
const initLimitMs = 10_000;
/** How long to wait for the output a runtime wrote just before posting its result. */
const outputSyncMs = 1_000;
const memoryCheckMs = 100;
/**
 * How old a peak-memory reading may be for the REPORT of an invocation that ended normally.
 * VmHWM only grows, so an older reading under-reports only the newest growth; the watchdog
 * (every memoryCheckMs while busy) reads afresh and keeps this reading current for long runs.
 */
const peakReadEveryMs = 250;

export class ExecutionEnvironment {
  readonly id: string;
  #spec: FunctionSpec;
  #logStreamName: string;
  #state: EnvironmentState;
  readonly #child: ChildProcess;
  /** The sandbox the process runs in, unless the isolation is a plain process. */
  readonly #sandbox: SandboxedProcess | undefined;
  readonly #launch: { readonly writesSyncMarkers: boolean; readonly ownProcessGroup: boolean };
  readonly #server: RuntimeApiServer;
  readonly #output: ProcessOutput;
  readonly #tmpDir: string;
  readonly #logger: Logger | undefined;
  /** When the Init phase began: the process's start, or a slot's assignment. */
  #spawnedAt = performance.now();
  /** A slot's own code folder and where its runtime runs, for `assign`. */
  readonly #slot: { readonly taskDir: string; readonly place: SlotPlace } | undefined;
  #standingBy = false;
  #initDurationMs: number | undefined;
  readonly #init: Promise<InitOutcome>;
  #settleInit: ((outcome: InitOutcome) => void) | undefined;
  #settleInvocation: ((ending: Ending) => void) | undefined;
  /** The last peak RSS read, for the REPORT of an invocation whose process is gone. */
  #peakBytes: number | undefined;
  /** When #peakBytes was read (performance.now()). */
  #peakReadAt = Number.NEGATIVE_INFINITY;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The watchdog ended the process for its memory (during Init, when no invocation waits yet). */
  #killedForMemory = false;
  readonly #gone: Promise<void>;
  readonly #deathListeners = new Set<() => void>();

  private constructor(
    spec: FunctionSpec,
    parts: {
      id: string;
      server: RuntimeApiServer;
      tmpDir: string;
      logStreamName: string;
      child: ChildProcess;
      sandbox: SandboxedProcess | undefined;
      launch: { readonly writesSyncMarkers: boolean; readonly ownProcessGroup: boolean };
      slot: { readonly taskDir: string; readonly place: SlotPlace } | undefined;
    },
    bridge: { target?: RuntimeApiListener },
    logger: Logger | undefined,
  ) {
    this.#spec = spec;
    this.id = parts.id;
    this.#server = parts.server;
    this.#tmpDir = parts.tmpDir;
    this.#logStreamName = parts.logStreamName;
    this.#slot = parts.slot;
    this.#state = parts.slot ? "standby" : "initializing";
    this.#child = parts.child;
    this.#sandbox = parts.sandbox;
    this.#launch = parts.launch;
    this.#logger = logger;
    this.#init = new Promise((resolve) => {
      this.#settleInit = resolve;
    });
    bridge.target = {
      waiting: () => this.#runtimeWaiting(),
      outcome: (outcome) => this.#settleInvocation?.({ kind: "outcome", outcome }),
      initError: (payload, errorType) => this.#endInit({ kind: "init-error", payload, errorType }),
      standby: () => {
        this.#standingBy = true;
      },
    };
    this.#output = new ProcessOutput(parts.child.stdout!, parts.child.stderr!);
    if (!parts.slot) this.#beginInit();
    this.#gone = new Promise((resolve) => {
      const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#exit) return;
        this.#exit = { code, signal };
        resolve(this.#die());
      };
      this.#child.once("close", onGone);
      // Children a bootstrap left behind would hold its pipes open and delay "close".
      if (this.#launch.ownProcessGroup) this.#child.once("exit", () => this.#killProcess());
      this.#child.once("error", (error) => {
        this.#logger?.warn("function process failed", { function: this.#spec.name, error });
        onGone(null, null);
      });
    });
  }

  /**
   * Builds the sandbox and starts the process in it; its Init phase (and its clock) starts then,
   * and runs until the first `/next`, which `invoke` waits for.
   */
  static start(spec: FunctionSpec, options: EnvironmentOptions): Promise<ExecutionEnvironment> {
    return ExecutionEnvironment.#spawn(spec, options, false);
  }

  /**
   * Starts a pooled slot: the sandbox, cgroup and network of an environment of `slot`'s kind
   * around an empty code folder of its own (read-only at /var/task), and the runtime in it, which
   * waits for `assign`. Sandboxed Node and Python runtimes only.
   */
  static startSlot(slot: SlotSpec, options: EnvironmentOptions): Promise<ExecutionEnvironment> {
    const region = options.baseEnvironment.AWS_REGION ?? "";
    const placeholder: FunctionSpec = {
      name: "",
      arn: `arn:aws:lambda:${region}::function:`,
      version: "$LATEST",
      runtime: slot.runtime,
      handler: "",
      codeDir: "",
      codeSha256: "",
      timeoutSeconds: 3,
      memoryMb: slot.memoryMb,
      ...(slot.tmpMb === undefined ? {} : { tmpMb: slot.tmpMb }),
      environment: {},
      allow: slot.allow,
    };
    return ExecutionEnvironment.#spawn(placeholder, options, true);
  }

  static async #spawn(
    given: FunctionSpec,
    options: EnvironmentOptions,
    pooled: boolean,
  ): Promise<ExecutionEnvironment> {
    checkRuntime(given.runtime);
    const id = randomBytes(8).toString("hex");
    const ownDir = join(options.workDir, id);
    await mkdir(ownDir, { recursive: true, mode: 0o700 });
    const isolation = options.isolation ?? { kind: "process" };
    const sandboxed = isolation.kind === "sandbox";
    if (pooled && !sandboxed) throw new Error("pooled slots run in the sandbox only");
    // A slot's code folder is its own, empty until it is assigned; it goes with the environment.
    const taskDir = join(ownDir, "task");
    if (pooled) await mkdir(taskDir, { mode: 0o755 });
    const spec: FunctionSpec = pooled ? { ...given, codeDir: taskDir } : given;
    // The server starts before the environment exists; the bridge points it there afterwards.
    const bridge: { target?: RuntimeApiListener } = {};
    const listener: RuntimeApiListener = {
      waiting: () => bridge.target?.waiting(),
      outcome: (outcome) => bridge.target?.outcome(outcome),
      initError: (payload, errorType) => bridge.target?.initError(payload, errorType),
      standby: () => bridge.target?.standby?.(),
    };
    const secret = supportsRuntimeApiPrefix(spec.runtime) ? randomBytes(12).toString("hex") : undefined;
    const server = await RuntimeApiServer.start(listener, secret ? { pathPrefix: secret } : {});
    const logStreamName = newLogStreamName(spec.version);
    const place: SlotPlace = {
      tmpDir: sandboxed ? sandboxPaths.tmp : ownDir,
      taskRoot: sandboxed ? sandboxPaths.taskRoot : spec.codeDir,
      ...(sandboxed ? { runtimeRoot: sandboxPaths.runtimeRoot } : {}),
      runtimeApi: server.address,
    };
    const full = launchFor(spec, { ...place, logStreamName, baseEnvironment: options.baseEnvironment });
    if (pooled && !full.channel) {
      await Promise.allSettled([server.close(), rm(ownDir, { recursive: true, force: true })]);
      throw new Error(`a ${spec.runtime} runtime cannot be pooled: it has no channel for its configuration`);
    }
    const launch = pooled
      ? {
          ...full,
          args: [...full.args, awaitConfigFlag],
          // Only what where and how it runs fixes, the same for any function it may be given;
          // the rest (the function's variables, credentials, names) come with its configuration.
          env: Object.fromEntries(
            placeVariables.flatMap((name) => (full.env[name] === undefined ? [] : [[name, full.env[name]]])),
          ),
        }
      : full;
    let sandbox: SandboxedProcess | undefined;
    let child: ChildProcess;
    if (isolation.kind === "sandbox") {
      try {
        sandbox = await SandboxedProcess.start(isolation, {
          id,
          command: launch.command,
          args: launch.args,
          cwd: launch.cwd,
          env: launch.env,
          codeDir: spec.codeDir,
          binds: launch.binds,
          loopbackPorts: [
            ...new Set([
              server.port,
              ...endpointPort(options.baseEnvironment),
              ...(options.loopbackPorts ?? []),
            ]),
          ],
          ...(spec.inspectPort === undefined ? {} : { inboundPort: spec.inspectPort }),
          memoryMb: spec.memoryMb,
          tmpBytes: spec.tmpMb === undefined ? tmpBytes : spec.tmpMb * 1024 * 1024,
          runDir: ownDir,
          ...(launch.channel ? { channel: true } : {}),
        });
      } catch (error) {
        await Promise.allSettled([server.close(), rm(ownDir, { recursive: true, force: true })]);
        throw error;
      }
      child = sandbox.child;
    } else {
      child = spawn(launch.command, launch.args, {
        cwd: launch.cwd,
        env: launch.env,
        stdio: launch.channel ? ["ignore", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"],
        detached: launch.ownProcessGroup,
      });
    }
    // A runtime that breaks the channel's framing is ended, as one that crashes is, rather than
    // left to hold its next invocation until the timeout.
    let environment: ExecutionEnvironment | undefined;
    if (launch.channel)
      server.attachChannel(child.stdio[runtimeChannelFd] as Socket, () => void environment?.kill());
    environment = new ExecutionEnvironment(
      spec,
      {
        id,
        server,
        tmpDir: ownDir,
        logStreamName,
        child,
        sandbox,
        // In the sandbox, ending the namespace ends every process; no group to signal.
        launch: sandbox ? { writesSyncMarkers: launch.writesSyncMarkers, ownProcessGroup: false } : launch,
        slot: pooled ? { taskDir, place } : undefined,
      },
      bridge,
      options.logger,
    );
    return environment;
  }

  get state(): EnvironmentState {
    return this.#state;
  }

  /** The configuration it serves (a slot's placeholder until it is assigned). */
  get spec(): FunctionSpec {
    return this.#spec;
  }

  /** Its log stream (`YYYY/MM/DD/[$LATEST]…`); a slot's is named when it is assigned. */
  get logStreamName(): string {
    return this.#logStreamName;
  }

  /** A slot whose runtime is up and waits for its configuration. */
  get standingBy(): boolean {
    return this.#state === "standby" && this.#standingBy;
  }

  /**
   * Gives a slot its function, for the rest of its life: fills its code folder from `codeDir`
   * (outside the sandbox; the runtime sees it read-only at /var/task) and sends the variables
   * the function's process would have started with. The Init phase starts now, so Init Duration
   * is the code's load, as the REPORT line reports it; `invoke` then waits for it as for any
   * environment's. `spec` must be of the slot's kind (same runtime, memory, /tmp, allowances).
   */
  async assign(
    spec: FunctionSpec,
    options: { readonly codeDir: string; readonly baseEnvironment: Readonly<Record<string, string>> },
  ): Promise<void> {
    const slot = this.#slot;
    if (!slot || this.#state !== "standby")
      throw new Error(`execution environment ${this.id} is no free slot`);
    this.#state = "initializing";
    this.#spawnedAt = performance.now();
    this.#spec = { ...spec, allow: this.#spec.allow ?? [] };
    this.#logStreamName = newLogStreamName(spec.version);
    try {
      await fillCodeFolder(options.codeDir, slot.taskDir);
      const launch = launchFor(
        { ...this.#spec, codeDir: slot.taskDir },
        { ...slot.place, logStreamName: this.#logStreamName, baseEnvironment: options.baseEnvironment },
      );
      this.#server.configure(launch.env);
    } catch (error) {
      await this.kill();
      throw error;
    }
    this.#beginInit();
  }

  /** Resolves once the runtime's init has ended: true when it is ready for an invocation. */
  async initialised(): Promise<boolean> {
    return (await this.#init).kind === "ready";
  }

  /** Called once, when the process has ended and its folder is gone. */
  onDeath(listener: () => void): void {
    if (this.#state === "dead") queueMicrotask(listener);
    else this.#deathListeners.add(listener);
  }

  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    if (this.#state === "busy" || this.#state === "dead" || this.#state === "standby") {
      throw new Error(`execution environment ${this.id} is ${this.#state}`);
    }
    const cold = this.#state === "initializing";
    this.#state = "busy";
    let initDurationMs: number | undefined;
    if (cold) {
      const init = await this.#init;
      initDurationMs = this.#initDurationMs;
      if (init.kind !== "ready") return this.#failedInit(request, init, initDurationMs ?? 0);
    }
    const before = this.#output.take();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const ending = new Promise<Ending>((resolve) => {
      this.#settleInvocation = (value) => {
        this.#settleInvocation = undefined;
        resolve(value);
      };
    });
    if ((this.#state as EnvironmentState) === "dead") this.#settleInvocation?.({ kind: "exit" });
    const started = performance.now();
    const timer = setTimeout(() => this.#settleInvocation?.({ kind: "timeout" }), timeoutMs);
    const memoryWatch = setInterval(() => this.#checkMemory(), memoryCheckMs);
    memoryWatch.unref();
    this.#server.deliver({
      requestId: request.requestId,
      payload: request.payload,
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: request.invokedFunctionArn ?? this.spec.arn,
      traceId: request.traceId || undefined,
      clientContext: request.clientContext || undefined,
    });
    const end = await ending;
    const durationMs = performance.now() - started;
    clearTimeout(timer);
    clearInterval(memoryWatch);
    const report = { requestId: request.requestId, before, durationMs, initDurationMs };
    switch (end.kind) {
      case "outcome":
        return this.#completed(end.outcome, report);
      case "timeout":
        return this.#timedOut(report);
      case "exit":
      case "out-of-memory":
        return this.#exited(report, end.kind === "out-of-memory");
      default:
        return end satisfies never;
    }
  }

  /** Ends the process; resolves when it is gone and its tmp folder removed. */
  async kill(): Promise<void> {
    if (!this.#exit) this.#killProcess();
    await this.#gone;
  }

  #killProcess(): void {
    if (this.#sandbox) {
      this.#sandbox.kill();
      return;
    }
    const pid = this.#child.pid;
    if (this.#launch.ownProcessGroup && pid !== undefined) {
      try {
        process.kill(-pid, "SIGKILL");
        return;
      } catch {
        // The group is gone already; fall through for the process itself.
      }
    }
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }

  // ----- how an invocation ends -----

  async #completed(outcome: RuntimeOutcome, report: Report): Promise<InvocationResult> {
    const marked = outcome.markedStreams;
    if (this.#launch.writesSyncMarkers && (marked === undefined || marked.length > 0)) {
      await this.#output.synced(report.requestId, outputSyncMs, marked);
    }
    // Without markers, one turn of the event loop reads what is already in the pipes (a child
    // process's output, which the runtime cannot see, included).
    else await new Promise((resolve) => setImmediate(resolve));
    // Without the sandbox's cgroup, nothing stopped a spike the watchdog's polls fell between; the
    // runtime's peak still shows it, so a fresh reading decides, as the kernel's limit would have.
    const kernelLimited = this.#sandbox?.memoryLimited === true;
    const memory = this.#peakMemoryMb(kernelLimited ? peakReadEveryMs : 0);
    if (!kernelLimited && memory !== undefined && memory > this.spec.memoryMb)
      return this.#exited(report, true);
    if (this.#state === "busy") this.#state = "idle";
    if (outcome.kind === "response") return this.#result(outcome.payload, false, report, memory);
    if (outcome.kind === "error") return this.#result(outcome.payload, true, report, memory);
    const payload = errorPayload(
      "Function.ResponseSizeTooLarge",
      "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    );
    return this.#result(payload, true, report, memory);
  }

  async #timedOut(report: Report): Promise<InvocationResult> {
    const memory = this.#peakMemoryMb();
    await this.kill();
    const seconds = this.spec.timeoutSeconds.toFixed(2);
    const line = `${new Date().toISOString()} ${report.requestId} Task timed out after ${seconds} seconds\n`;
    const payload = errorPayload(
      "Sandbox.Timedout",
      `RequestId: ${report.requestId} Error: Task timed out after ${seconds} seconds`,
    );
    return this.#result(payload, true, report, memory, { trailer: line, status: "Status: timeout" });
  }

  async #exited(report: Report, killedForMemory: boolean): Promise<InvocationResult> {
    const memory = this.#peakMemoryMb();
    await this.kill();
    const errorType =
      killedForMemory ||
      this.#killedForMemory ||
      this.#sandbox?.oomKilled() === true ||
      this.#output.mentions("JavaScript heap out of memory")
        ? "Runtime.OutOfMemory"
        : "Runtime.ExitError";
    const message = `RequestId: ${report.requestId} Error: ${exitReason(this.#exit)}`;
    return this.#result(errorPayload(errorType, message), true, report, memory, {
      trailer: `${message}\n${errorType}\n`,
      status: `Status: error\tError Type: ${errorType}`,
    });
  }

  async #failedInit(request: InvocationRequest, init: InitOutcome, initDurationMs: number) {
    const report: Report = { requestId: request.requestId, before: "", durationMs: 0, initDurationMs };
    if (init.kind === "timeout") return this.#timedOut(report);
    if (init.kind !== "init-error") return this.#exited(report, false);
    await this.kill();
    const errorType = init.errorType ?? errorTypeOf(init.payload) ?? "Runtime.Unknown";
    const output = this.#output.take();
    const initReport =
      `${output}${output && !output.endsWith("\n") ? "\n" : ""}` +
      `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}\n`;
    return this.#result(init.payload, true, { ...report, before: initReport }, this.#peakMemoryMb(), {
      status: `Status: error\tError Type: ${errorType}`,
    });
  }

  #result(
    payload: Buffer,
    failed: boolean,
    report: Report,
    maxMemoryMb: number | undefined,
    extra: { trailer?: string; status?: string } = {},
  ): InvocationResult {
    const { requestId, durationMs, initDurationMs } = report;
    const output = this.#output.take();
    const fields = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(durationMs))} ms`,
      `Memory Size: ${this.spec.memoryMb} MB`,
      ...(maxMemoryMb === undefined ? [] : [`Max Memory Used: ${maxMemoryMb} MB`]),
      ...(initDurationMs === undefined ? [] : [`Init Duration: ${initDurationMs.toFixed(2)} ms`]),
      ...(extra.status ? [extra.status] : []),
    ];
    const marked =
      `${withNewline(report.before)}START RequestId: ${requestId} Version: ${this.spec.version}\n${withNewline(output)}${extra.trailer ?? ""}` +
      `END RequestId: ${requestId}\n${fields.join("\t")}\t\n`;
    return {
      payload,
      log: plainLog(marked),
      logEvents: logEventsOf(marked),
      durationMs,
      logStreamName: this.logStreamName,
      ...(failed ? { functionError: "Unhandled" as const } : {}),
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
    };
  }

  // ----- process events -----

  /** The Init phase's limit: Lambda's 10 s, or the function's timeout when that is longer. */
  #beginInit(): void {
    const initTimer = setTimeout(
      () => {
        if (this.#settleInit) this.#endInit({ kind: "timeout" });
        this.#killProcess();
      },
      Math.max(initLimitMs, this.#spec.timeoutSeconds * 1000),
    );
    initTimer.unref();
    // Lambda holds Init to the function's memory too: a module that allocates without end at
    // import is ended for its memory, not left to grow until the Init limit or the host's memory.
    const initMemoryWatch = setInterval(() => this.#checkMemory(), memoryCheckMs);
    initMemoryWatch.unref();
    void this.#init.then(() => {
      clearTimeout(initTimer);
      clearInterval(initMemoryWatch);
    });
  }

  #runtimeWaiting(): void {
    if (this.#state === "initializing" || (this.#state === "busy" && this.#settleInit)) {
      this.#endInit({ kind: "ready" });
    }
  }

  #endInit(outcome: InitOutcome): void {
    const settle = this.#settleInit;
    if (!settle) return;
    this.#settleInit = undefined;
    this.#initDurationMs = performance.now() - this.#spawnedAt;
    if (outcome.kind === "ready" && this.#state === "initializing") this.#state = "idle";
    settle(outcome);
  }

  #checkMemory(): void {
    const status = this.#exit ? undefined : readProcStatus(this.#runtimePid());
    if (status?.peak !== undefined) {
      this.#peakBytes = status.peak;
      this.#peakReadAt = performance.now();
    }
    // In a cgroup, every process the function started counts, not just the runtime (and the kernel
    // enforces the limit itself). Without one, the runtime's peak counts too, so a spike between
    // two readings is not missed.
    const limit = this.spec.memoryMb * 1024 * 1024;
    const rss = (this.#exit ? undefined : this.#sandbox?.residentBytes()) ?? status?.rss;
    const peak = this.#sandbox?.memoryLimited ? undefined : status?.peak;
    if ((rss !== undefined && rss > limit) || (peak !== undefined && peak > limit)) {
      this.#killedForMemory = true;
      this.#settleInvocation?.({ kind: "out-of-memory" });
      this.#killProcess();
    }
  }

  /** The peak RSS in MB, read afresh unless the last reading is at most `maxAgeMs` old. */
  #peakMemoryMb(maxAgeMs = 0): number | undefined {
    const now = performance.now();
    if (!this.#exit && (this.#peakBytes === undefined || now - this.#peakReadAt > maxAgeMs)) {
      const peak = readProcStatus(this.#runtimePid())?.peak;
      if (peak !== undefined) {
        this.#peakBytes = peak;
        this.#peakReadAt = now;
      }
    }
    const peak = this.#peakBytes;
    return peak === undefined ? undefined : Math.ceil(peak / (1024 * 1024));
  }

  /** The runtime's own process: inside the sandbox, not bubblewrap around it. */
  #runtimePid(): number | undefined {
    return this.#sandbox ? this.#sandbox.runtimePid() : this.#child.pid;
  }

  async #die(): Promise<void> {
    this.#state = "dead";
    this.#endInit({ kind: "exit" });
    await this.#output.ended();
    this.#settleInvocation?.({ kind: "exit" });
    await Promise.allSettled([
      this.#server.close(),
      this.#sandbox?.dispose(),
      rm(this.#tmpDir, { recursive: true, force: true }),
    ]);
    for (const listener of this.#deathListeners) listener();
    this.#deathListeners.clear();
  }
}

/** The port of Jeff's API, which the function may reach from its sandbox. */
function endpointPort(environment: Readonly<Record<string, string>>): number[] {
  const endpoint = environment.AWS_ENDPOINT_URL;
  if (!endpoint) return [];
  try {
    const url = new URL(endpoint);
    return [Number(url.port || (url.protocol === "https:" ? 443 : 80))];
  } catch {
    return [];
  }
}

/** Where a runtime runs, as its launch names it: fixed when its sandbox starts. */
type SlotPlace = Omit<LaunchPlace, "logStreamName" | "baseEnvironment">;

interface Report {
  readonly requestId: string;
  /** Output written before the event was delivered: init logs, or late logs of the last invocation. */
  readonly before: string;
  readonly durationMs: number;
  readonly initDurationMs: number | undefined;
}

const withNewline = (text: string) => (text && !text.endsWith("\n") ? `${text}\n` : text);

function errorPayload(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

function errorTypeOf(payload: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as { errorType?: unknown };
    return typeof parsed.errorType === "string" ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

const signalNames: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGTERM: "terminated",
  SIGBUS: "bus error",
  SIGILL: "illegal instruction",
};

/** Go's wording, as Lambda prints it: "exit status 1", "signal: killed". */
function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (exit?.signal) return `signal: ${signalNames[exit.signal] ?? exit.signal}`;
  return `exit status ${exit?.code ?? "unknown"}`;
}

/** Lambda's words for a runtime that ended: a clean exit gives no reason, any other is an error. */
function exitReason(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (exit?.code === 0 && !exit.signal) return "Runtime exited without providing a reason";
  return `Runtime exited with error: ${describeExit(exit)}`;
}

/** Current and peak RSS in bytes from /proc/PID/status (Linux); undefined elsewhere or once the process is gone. */
function readProcStatus(pid: number | undefined): { rss?: number; peak?: number } | undefined {
  if (pid === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kb = (match: RegExpExecArray | null) => (match?.[1] ? Number(match[1]) * 1024 : undefined);
  const rss = kb(/^VmRSS:\s+(\d+) kB/m.exec(text));
  const peak = kb(/^VmHWM:\s+(\d+) kB/m.exec(text));
  return {
    ...(rss === undefined ? {} : { rss }),
    ...(peak === undefined ? {} : { peak }),
  };
}
