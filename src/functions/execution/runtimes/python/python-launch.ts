/**
 * How a `python3.x` function starts: the host's `python3` runs Jeff's runtime client
 * (bootstrap.py, standard library only). Every `python3.8`…`python3.14` name runs on that one
 * interpreter, whatever its version. Python has no permission model: the function is a separate
 * process with Lambda's environment only, not a sandbox.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  installBinds,
  type LaunchPlace,
  type LaunchSpec,
  lambdaEnvironment,
  type RuntimeLaunch,
  runtimeChannelFd,
  runtimeFile,
} from "../lambda-environment.js";

export function isPythonRuntime(runtime: string): boolean {
  return /^python3\.\d+$/.test(runtime);
}

/** The `x` of a `python3.x` runtime's name. */
function pythonMinor(runtime: string): number {
  return Number(/^python3\.(\d+)$/.exec(runtime)?.[1] ?? 0);
}

export function pythonLaunch(spec: LaunchSpec, place: LaunchPlace): RuntimeLaunch {
  const { executable: python, prefixes } = pythonInstall();
  const client = runtimeFile(pythonRuntimeClient(), place);
  const env = lambdaEnvironment(spec, place, {
    runtimeDir: dirname(client.path),
    languageBin: [dirname(python)],
    executionEnv: true,
  });
  // Lambda's images for python3.12 and later (Amazon Linux 2023) have no locale, so Python
  // coerces it (PEP 538) and its functions see LC_CTYPE=C.UTF-8; on the older images they see
  // none. Python coerces on the host too, wherever its locale is unset, so the client takes
  // LC_CTYPE back out for the older runtimes unless the function set it itself.
  const coercedLocale = pythonMinor(spec.runtime) >= 12;
  if (coercedLocale && spec.environment.LC_CTYPE === undefined) env.LC_CTYPE = "C.UTF-8";
  // -u: output reaches the log as it is written (a killed process loses none of it);
  // -B: no __pycache__ written into the code folder, which functions share read-only;
  // -s: no user site-packages from the host's home folder.
  return {
    command: python,
    args: [
      "-u",
      "-B",
      "-s",
      client.path,
      `--channel-fd=${runtimeChannelFd}`,
      ...(!coercedLocale && spec.environment.LC_CTYPE === undefined ? ["--unset-lc-ctype"] : []),
    ],
    cwd: place.taskRoot,
    env,
    writesSyncMarkers: true,
    ownProcessGroup: true,
    channel: true,
    binds: [...client.binds, ...installBinds(prefixes)],
  };
}

interface PythonInstall {
  readonly executable: string;
  /** `sys.prefix` and `sys.base_prefix`: where the standard library lives, for the sandbox to show. */
  readonly prefixes: readonly string[];
}

let install: PythonInstall | undefined;

/**
 * The interpreter behind `python3` on Jeff's PATH, resolved once: a shim (pyenv, asdf) would
 * otherwise run on every cold start, and need variables the function's environment does not have.
 */
export function pythonInstall(): PythonInstall {
  if (install) return install;
  try {
    const printed = execFileSync(
      "python3",
      ["-c", "import sys; print(sys.executable); print(sys.prefix); print(sys.base_prefix)"],
      { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] },
    )
      .split("\n")
      .map((line) => line.trim());
    const [executable, ...prefixes] = printed;
    if (!executable) throw new Error("sys.executable is empty");
    install = { executable, prefixes: prefixes.filter(Boolean) };
    return install;
  } catch (error) {
    throw new Error(`python3.x functions need python3 on Jeff's PATH: ${String(error)}`);
  }
}

export function pythonExecutable(): string {
  return pythonInstall().executable;
}

let clientPath: string | undefined;

/**
 * bootstrap.py is not compiled, so it is read from the source tree in both layouts: beside this
 * module under src/ (tests), or from dist/functions/execution/runtimes/python/ up to the package root and
 * into src/ (the package's "files" must include src/functions/execution/runtimes/python).
 */
export function pythonRuntimeClient(): string {
  if (clientPath) return clientPath;
  const candidates = [
    fileURLToPath(new URL("./bootstrap.py", import.meta.url)),
    fileURLToPath(
      new URL("../../../../../src/functions/execution/runtimes/python/bootstrap.py", import.meta.url),
    ),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new Error(`Jeff's Python runtime client is missing (looked for ${candidates.join(", ")})`);
  clientPath = found;
  return found;
}
