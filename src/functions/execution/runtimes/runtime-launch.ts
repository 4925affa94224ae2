/**
 * How each runtime's process is started: the command line and the environment variables
 * Lambda sets. Node runtimes run Jeff's own runtime client under Node's permission model;
 * Python runs Jeff's Python client (python/); `provided*` runs the function's own `bootstrap`.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type LaunchPlace,
  type LaunchSpec,
  lambdaEnvironment,
  type RuntimeLaunch,
  runtimeChannelFd,
  runtimeFile,
} from "./lambda-environment.js";
import { nodeInstallBinds } from "./node-install.js";
import { isProvidedRuntime, providedLaunch } from "./provided/provided-launch.js";
import { isPythonRuntime, pythonLaunch } from "./python/python-launch.js";

export type { LaunchPlace, LaunchSpec, RuntimeLaunch } from "./lambda-environment.js";
export { placeVariables, runtimeChannelFd } from "./lambda-environment.js";

export class UnsupportedRuntimeError extends Error {
  constructor(runtime: string) {
    super(
      `runtime ${runtime} is not supported by execution environments (supported: nodejs16.x and later, python3.x, provided, provided.al2, provided.al2023)`,
    );
    this.name = "UnsupportedRuntimeError";
  }
}

/** Whether the runtime client can be reached at a secret path (see RuntimeApiServerOptions.pathPrefix). */
export function supportsRuntimeApiPrefix(runtime: string): boolean {
  // Jeff's own clients and a `bootstrap` alike join `AWS_LAMBDA_RUNTIME_API` and the path as
  // strings (curl, aws-lambda-go, the Java and .NET clients), so the secret segment survives.
  return isNodeRuntime(runtime) || isPythonRuntime(runtime) || isProvidedRuntime(runtime);
}

export function checkRuntime(runtime: string): void {
  if (!supportsRuntimeApiPrefix(runtime)) throw new UnsupportedRuntimeError(runtime);
}

function isNodeRuntime(runtime: string): boolean {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match !== null && Number(match[1]) >= 16;
}

/** `2026/01/31/[$LATEST]0123…`: one stream per environment, as on Lambda. */
export function newLogStreamName(version: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${version}]${randomBytes(16).toString("hex")}`;
}

export function launchFor(spec: LaunchSpec, place: LaunchPlace): RuntimeLaunch {
  checkRuntime(spec.runtime);
  if (isProvidedRuntime(spec.runtime)) return providedLaunch(spec, place);
  const launch = isPythonRuntime(spec.runtime) ? pythonLaunch(spec, place) : nodeLaunch(spec, place);
  return withExecWrapper(launch, spec.environment.AWS_LAMBDA_EXEC_WRAPPER);
}

/**
 * `AWS_LAMBDA_EXEC_WRAPPER`: a managed runtime starts through the script it names, which gets the
 * runtime's command line as its arguments, as Lambda's bootstrap does (`exec "$WRAPPER" "$@"`).
 * A wrapper that is not there ends the runtime with the shell's status 127, as on Lambda.
 * (`provided*` runtimes start the function's own `bootstrap`, which Lambda does not wrap.)
 */
function withExecWrapper(launch: RuntimeLaunch, wrapper: string | undefined): RuntimeLaunch {
  if (!wrapper) return launch;
  return {
    ...launch,
    command: "/bin/sh",
    args: ["-c", 'exec "$0" "$@"', wrapper, launch.command, ...launch.args],
  };
}

function nodeLaunch(spec: LaunchSpec, place: LaunchPlace): RuntimeLaunch {
  const client = runtimeFile(nodeRuntimeClient(), place);
  const runtimeDir = dirname(client.path);
  const env = nodeEnvironment(spec, place, runtimeDir);
  // Node's inspector does not start under the permission model, so a function being debugged
  // runs without the sandbox: a debugger can do anything the process can anyway.
  const sandboxOrDebugger =
    spec.inspectPort === undefined
      ? permissionFlags(place.taskRoot, runtimeDir, place.tmpDir, spec.allow ?? [])
      : [`--inspect=127.0.0.1:${spec.inspectPort}`];
  const args = [
    ...sandboxOrDebugger,
    `--max-old-space-size=${Math.max(32, spec.memoryMb - Math.floor(spec.memoryMb / 10))}`,
    // Stack traces of bundled TypeScript point at the .ts line when the bundle ships a source map
    // (Lambda needs NODE_OPTIONS=--enable-source-maps for this; Jeff turns it on for everyone).
    "--enable-source-maps",
    client.path,
    `--channel-fd=${runtimeChannelFd}`,
    // Should the client fall back to HTTP: through the sandbox's network, a result and the next
    // /next go out one after the other.
    ...(place.runtimeRoot === undefined ? [] : ["--no-pipeline"]),
  ];
  return {
    command: process.execPath,
    args,
    cwd: place.taskRoot,
    env,
    writesSyncMarkers: true,
    ownProcessGroup: false,
    channel: true,
    binds: [...client.binds, ...nodeInstallBinds()],
  };
}

function nodeEnvironment(spec: LaunchSpec, place: LaunchPlace, runtimeDir: string): Record<string, string> {
  const env = lambdaEnvironment(spec, place, {
    runtimeDir,
    languageBin: [dirname(process.execPath)],
    executionEnv: true,
  });
  const nodeOptions = env.NODE_OPTIONS === undefined ? undefined : safeNodeOptions(env.NODE_OPTIONS);
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  else delete env.NODE_OPTIONS;
  return env;
}

/**
 * NODE_OPTIONS is the user's to set (Lambda allows it), but flags that widen the sandbox or open
 * a debugger are dropped: `--allow-child-process` there would otherwise undo the permission model.
 */
export function safeNodeOptions(value: string): string {
  const unsafe = /^--(allow-|permission|experimental-permission|no-experimental-permission|inspect|debug)/;
  const tokens = value.split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (!unsafe.test(token)) {
      kept.push(token);
      continue;
    }
    // `--allow-fs-read /` passes the value as the next token.
    const next = tokens[i + 1];
    if (!token.includes("=") && next !== undefined && !next.startsWith("-")) i++;
  }
  return kept.join(" ");
}

function permissionFlags(
  codeDir: string,
  runtimeDir: string,
  tmpDir: string,
  allow: readonly string[],
): string[] {
  const flags = process.allowedNodeEnvironmentFlags;
  return [
    // Only what the operator's sandboxAllow names for this function, checked when Jeff started;
    // Node's warning that these weaken the model is for the operator, who asked for it.
    ...allow.map((what) => `--allow-${what}`).filter((flag) => flags.has(flag)),
    ...(allow.length > 0 && flags.has("--disable-warning") ? ["--disable-warning=SecurityWarning"] : []),
    flags.has("--permission") ? "--permission" : "--experimental-permission",
    // The permission model announces itself on every start; keep that out of the function's log.
    flags.has("--disable-warning") ? "--disable-warning=ExperimentalWarning" : "--no-warnings",
    `--allow-fs-read=${codeDir}`,
    `--allow-fs-read=${runtimeDir}`,
    `--allow-fs-read=${tmpDir}`,
    `--allow-fs-write=${tmpDir}`,
  ];
}

let clientPath: string | undefined;

/**
 * The compiled runtime client beside this module. Run from source (tests), the `.js` exists
 * only in dist/, which the test setup builds.
 */
export function nodeRuntimeClient(): string {
  if (clientPath) return clientPath;
  const here = fileURLToPath(new URL("./node/node-runtime-client.js", import.meta.url));
  const built = here.replace(`${sep}src${sep}functions${sep}`, `${sep}dist${sep}functions${sep}`);
  const found = [here, built].find((path) => existsSync(path));
  if (!found) throw new Error(`the Node runtime client is not built (looked for ${here}); run npm run build`);
  clientPath = found;
  return found;
}
