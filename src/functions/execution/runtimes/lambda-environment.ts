/**
 * What every runtime's process is given: the launch types and the environment variables Lambda
 * sets. Invariant: nothing of Jeff's own environment — only Lambda's variables, the pool's base
 * variables (endpoint, credentials) and the function's own.
 */
import { basename } from "node:path";

/** What a launch needs to know about the function (a subset of FunctionSpec). */
export interface LaunchSpec {
  readonly name: string;
  readonly arn: string;
  readonly version: string;
  readonly runtime: string;
  readonly handler: string;
  readonly codeDir: string;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Sandbox allowances beyond the defaults (`child-process`, `worker`, `addons`, `wasi`); Node runtimes only. */
  readonly allow?: readonly string[];
  /** A debugger port for this environment (`jeff dev --inspect`); Node runtimes only. */
  readonly inspectPort?: number;
}

export interface LaunchPlace {
  /** This environment's own writable folder (Lambda's /tmp), as the process sees it. */
  readonly tmpDir: string;
  /** The function's code folder as the process sees it (`/var/task` in the sandbox). */
  readonly taskRoot: string;
  /**
   * In the sandbox, the folder where Jeff's runtime client files appear (`/var/runtime`); the
   * launch names each file it needs in `binds`. Outside, the client runs from where it lies.
   */
  readonly runtimeRoot?: string;
  /** `AWS_LAMBDA_RUNTIME_API`. */
  readonly runtimeApi: string;
  readonly logStreamName: string;
  readonly baseEnvironment: Readonly<Record<string, string>>;
}

/** The descriptor a runtime that speaks the channel finds it on, in the sandbox and out of it. */
export const runtimeChannelFd = 3;

export interface RuntimeLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /**
   * The runtime writes the sync marker of process-output.ts after each invocation's output.
   * A `bootstrap` of the user's does not, so its output is cut when the result arrives.
   */
  readonly writesSyncMarkers: boolean;
  /**
   * Run the process as the leader of its own process group and end the whole group: a
   * `bootstrap` shell script's children (curl, sleep…) must not outlive it or hold its pipes.
   */
  readonly ownProcessGroup: boolean;
  /**
   * The runtime speaks the framed channel of runtime-channel.ts on descriptor 3 (Jeff's own Node
   * client), rather than HTTP to `AWS_LAMBDA_RUNTIME_API`.
   */
  readonly channel?: true;
  /** What the sandbox must show read-only besides /usr and the code: client files, language installs. */
  readonly binds: readonly { readonly source: string; readonly target: string }[];
}

export interface RuntimeSpecifics {
  /** `LAMBDA_RUNTIME_DIR`. */
  readonly runtimeDir: string;
  /** Folders searched first on `PATH` (Lambda's /var/lang/bin: the language's own binaries). */
  readonly languageBin: readonly string[];
  /** Lambda leaves `AWS_EXECUTION_ENV` unset for OS-only runtimes (`provided*`). */
  readonly executionEnv: boolean;
}

/**
 * The variables fixed by where and how a runtime runs, the same for every function of a runtime
 * on this host: listed first, in this order, so a pooled slot, which starts with only these and is
 * given the rest later, lists the same variables in the same order as a process started with all.
 */
export const placeVariables = [
  "PATH",
  "LANG",
  "TMPDIR",
  "TZ",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
  "AWS_LAMBDA_RUNTIME_API",
  "AWS_EXECUTION_ENV",
] as const;

export function lambdaEnvironment(
  spec: LaunchSpec,
  place: LaunchPlace,
  runtime: RuntimeSpecifics,
): Record<string, string> {
  const region = spec.arn.split(":")[3] || place.baseEnvironment.AWS_REGION || "us-east-1";
  const env: Record<string, string> = {
    PATH: [...new Set([...runtime.languageBin, "/usr/local/bin", "/usr/bin", "/bin"])].join(":"),
    LANG: "en_US.UTF-8",
    // Lambda sets no TMPDIR: its /tmp is the one. Only a plain process, whose own folder is
    // elsewhere, needs to be told.
    ...(place.tmpDir === "/tmp" ? {} : { TMPDIR: place.tmpDir }),
    // Lambda starts its Node and Python runtimes through a shell script, whose PWD and SHLVL
    // they inherit; a `provided` bootstrap it starts itself, with neither.
    ...(spec.runtime.startsWith("provided") ? {} : { PWD: place.taskRoot, SHLVL: "0" }),
    ...spec.environment,
    ...place.baseEnvironment,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: place.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    LAMBDA_TASK_ROOT: place.taskRoot,
    LAMBDA_RUNTIME_DIR: runtime.runtimeDir,
    _HANDLER: spec.handler,
    AWS_LAMBDA_RUNTIME_API: place.runtimeApi,
    TZ: ":UTC",
  };
  if (!runtime.executionEnv) delete env.AWS_EXECUTION_ENV;
  const ordered: Record<string, string> = {};
  for (const name of placeVariables) if (env[name] !== undefined) ordered[name] = env[name];
  return Object.assign(ordered, env);
}

/** Where a runtime client file appears to the process, and the bind that puts it there. */
export function runtimeFile(
  hostPath: string,
  place: LaunchPlace,
): { readonly path: string; readonly binds: { source: string; target: string }[] } {
  if (place.runtimeRoot === undefined) return { path: hostPath, binds: [] };
  const path = `${place.runtimeRoot}/${basename(hostPath)}`;
  return { path, binds: [{ source: hostPath, target: path }] };
}

/**
 * The install folder of a language binary outside /usr (nvm, pyenv, asdf…), which the sandbox
 * must show at the same path; none for a binary under /usr, which the sandbox always shows.
 */
export function installBinds(roots: readonly string[]): { source: string; target: string }[] {
  const outside = [...new Set(roots)].filter((root) => root !== "/usr" && !root.startsWith("/usr/"));
  return outside.map((root) => ({ source: root, target: root }));
}
