/**
 * How a `provided`, `provided.al2` or `provided.al2023` function starts: its own `bootstrap`
 * executable, run from the code folder with Lambda's environment (no `AWS_EXECUTION_ENV`, as on
 * Lambda's OS-only runtimes). This is how Go, Rust, Java, .NET and shell functions run.
 *
 * A bootstrap that is missing or not executable fails the Init phase with Lambda's
 * `Runtime.InvalidEntrypoint`: a stand-in process posts that error to `/runtime/init/error`,
 * so the execution environment reports it exactly as any other failed init.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type LaunchPlace,
  type LaunchSpec,
  lambdaEnvironment,
  type RuntimeLaunch,
} from "../lambda-environment.js";
import { nodeInstallBinds } from "../node-install.js";

export function isProvidedRuntime(runtime: string): boolean {
  return runtime === "provided" || runtime === "provided.al2" || runtime === "provided.al2023";
}

export function providedLaunch(spec: LaunchSpec, place: LaunchPlace): RuntimeLaunch {
  const env = lambdaEnvironment(spec, place, {
    // Lambda's /var/runtime holds nothing a custom runtime needs; Jeff points at its own, harmlessly.
    runtimeDir: dirname(fileURLToPath(import.meta.url)),
    languageBin: [],
    executionEnv: false,
  });
  // Checked on the host; named as the process would see it (Lambda's `/var/task/bootstrap`).
  const bootstrap = join(place.taskRoot, "bootstrap");
  const problem = bootstrapProblem(join(spec.codeDir, "bootstrap"), bootstrap);
  if (problem) return invalidEntrypoint(place.taskRoot, env, problem);
  return {
    command: bootstrap,
    args: [],
    cwd: place.taskRoot,
    env,
    writesSyncMarkers: false,
    ownProcessGroup: true,
    binds: [],
  };
}

/** Lambda's wording (its runtime is written in Go, hence "fork/exec"). */
function bootstrapProblem(onHost: string, named: string): string | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(onHost);
  } catch {
    return `Couldn't find valid bootstrap(s): [${named}]`;
  }
  if (!stat.isFile()) return `Couldn't find valid bootstrap(s): [${named}]`;
  // Lambda runs the bootstrap as a user that owns nothing: it must be executable by everyone,
  // which is also what the sandbox's user needs (root's access() would pass any x bit).
  if ((stat.mode & 0o001) === 0) return `fork/exec ${named}: permission denied`;
  try {
    accessSync(onHost, constants.X_OK);
    return undefined;
  } catch {
    return `fork/exec ${named}: permission denied`;
  }
}

/** Posts the init error the way a runtime would, from a tiny Node process of Jeff's own. */
const reportInitError = `
const [type, message] = process.argv.slice(1);
console.log("Error: " + message + "\\n" + type);
const body = JSON.stringify({ errorType: type, errorMessage: "Error: " + message });
fetch("http://" + process.env.AWS_LAMBDA_RUNTIME_API + "/2018-06-01/runtime/init/error", {
  method: "POST",
  headers: { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": type },
  body,
}).finally(() => process.exit(1));
`;

function invalidEntrypoint(taskRoot: string, env: Record<string, string>, problem: string): RuntimeLaunch {
  return {
    command: process.execPath,
    args: ["-e", reportInitError, "Runtime.InvalidEntrypoint", problem],
    cwd: taskRoot,
    env,
    writesSyncMarkers: false,
    ownProcessGroup: false,
    binds: nodeInstallBinds(),
  };
}
