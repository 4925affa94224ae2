/**
 * How execution environments are isolated on this machine, decided once at start.
 *
 * - `sandbox`: every environment in its own user, mount, PID, IPC, UTS, cgroup and network
 *   namespace (bubblewrap), as a non-zero uid with no capabilities, its network given by pasta,
 *   its limits by a cgroup (or rlimits where Jeff cannot create cgroups).
 * - `process`: a plain child process with Lambda's environment only, and Node's permission model
 *   for Node functions. Weaker: for a developer's own code on a machine without the sandbox.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { type Cgroups, openCgroups } from "./cgroups.js";
import { systemView } from "./system-view.js";

export type IsolationMode = "sandbox" | "process" | "auto";

export interface SandboxIsolation {
  readonly kind: "sandbox";
  readonly bwrap: string;
  readonly pasta: string;
  /** `setpriv` (util-linux), so that pasta dies with Jeff. */
  readonly setpriv: string;
  readonly cgroups: Cgroups | undefined;
  /** `prlimit`: Lambda's resource limits inside the sandbox (resource-limits.ts). */
  readonly prlimit: string | undefined;
}

export interface ProcessIsolation {
  readonly kind: "process";
}

export type Isolation = SandboxIsolation | ProcessIsolation;

export class IsolationUnavailableError extends Error {
  override readonly name = "IsolationUnavailableError";
}

/**
 * The sandbox if it can be built here; otherwise, for `auto`, process isolation with the reason
 * (the caller warns); for `sandbox`, an IsolationUnavailableError saying what is missing.
 */
export async function chooseIsolation(
  mode: IsolationMode,
  probe: () => Promise<Probe> = probeSandbox,
): Promise<{ isolation: Isolation; fallbackReason?: string }> {
  if (mode === "process") return { isolation: { kind: "process" } };
  const probed = await probe();
  if (probed.kind === "sandbox") return { isolation: probed };
  if (mode === "auto") return { isolation: { kind: "process" }, fallbackReason: probed.reason };
  throw new IsolationUnavailableError(
    `functions cannot be sandboxed on this machine: ${probed.reason}. ` +
      "Install bubblewrap and passt (Debian: apt-get install bubblewrap passt), or accept weaker isolation with --isolation process (JEFF_ISOLATION=process).",
  );
}

export type Probe = SandboxIsolation | { readonly kind: "unavailable"; readonly reason: string };

let probed: Promise<Probe> | undefined;

/** Looked up once per process: the tools, the cgroups, and a trivial sandbox actually run. */
export function probeSandbox(): Promise<Probe> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<Probe> {
  if (process.platform !== "linux")
    return { kind: "unavailable", reason: `${process.platform} has no Linux namespaces` };
  const bwrap = findExecutable("bwrap");
  if (!bwrap) return { kind: "unavailable", reason: "bwrap (bubblewrap) is not on PATH" };
  const pasta = findExecutable("pasta");
  if (!pasta) return { kind: "unavailable", reason: "pasta (passt) is not on PATH" };
  const setpriv = findExecutable("setpriv");
  if (!setpriv) return { kind: "unavailable", reason: "setpriv (util-linux) is not on PATH" };
  const root = process.getuid?.() === 0;
  const isolation: SandboxIsolation = {
    kind: "sandbox",
    bwrap,
    pasta,
    setpriv,
    cgroups: root ? openCgroups() : undefined,
    prlimit: findExecutable("prlimit"),
  };
  const [command, ...args] = [
    bwrap,
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--uid",
    "993",
    ...systemView(),
    "--proc",
    "/proc",
    "--die-with-parent",
    "--",
    "/usr/bin/true",
  ];
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(command!, args, { timeout: 30_000 }, (error, _stdout, stderr) =>
      resolve(error ? `a trial sandbox failed: ${stderr.trim() || error.message}` : undefined),
    );
  });
  return failure ? { kind: "unavailable", reason: failure } : isolation;
}

export function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const dir of [...dirs, "/usr/bin", "/usr/sbin", "/bin"]) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
