/**
 * One sandboxed process tree: bubblewrap makes the namespaces and the read-only view, a cgroup
 * holds the limits, and pasta gives the network namespace its only ways out — the world, and the
 * loopback ports named here (the environment's Runtime API and Jeff's API), nothing else on the
 * host's loopback.
 *
 * Start-up order: bubblewrap creates the namespaces and stops before running the command (its
 * block fd); the namespace's first process is moved into the cgroup, pasta attaches to the
 * network namespace and says it is ready (its pid file); only then does the command run, so no
 * code of the function ever runs outside its limits or without its network.
 *
 * Ending: killing bubblewrap ends the namespace's init, and the kernel ends every process in a
 * PID namespace whose init is gone — detached children included. bubblewrap's
 * `--die-with-parent` and pasta's parent-death signal do the same when Jeff itself dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, watch } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { EnvironmentCgroup } from "./cgroups.js";
import type { SandboxIsolation } from "./isolation.js";
import { sandboxPrlimitOptions } from "./resource-limits.js";
import { sandboxPasswd, sandboxUser, systemView } from "./system-view.js";

/**
 * Where a function's code, Jeff's runtime client and /tmp appear inside, as on Lambda; and /opt,
 * where Lambda mounts a function's layers: there, empty, as for a function without layers.
 */
export const sandboxPaths = {
  taskRoot: "/var/task",
  runtimeRoot: "/var/runtime",
  tmp: "/tmp",
  layers: "/opt",
} as const;
/** Lambda's limit on processes and threads in one environment. */
const pidsLimit = 1_024;
/** Lambda gives a function one vCPU per 1,769 MB of memory; Jeff gives at least one core. */
const mbPerCpu = 1_769;
/** How long building the namespaces and the network may take on a loaded machine. */
const setupLimitMs = 60_000;

export interface ReadOnlyBind {
  readonly source: string;
  readonly target: string;
}

export interface SandboxRequest {
  readonly id: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** The function's code folder, seen at /var/task. */
  readonly codeDir: string;
  /** Runtime client files and language installs, read-only. */
  readonly binds: readonly ReadOnlyBind[];
  /** Host loopback ports the function may reach, at the same port on its own loopback. */
  readonly loopbackPorts: readonly number[];
  /** A port on the host's loopback forwarded into the sandbox (a debugger). */
  readonly inboundPort?: number;
  readonly memoryMb: number;
  /** /tmp's size (EphemeralStorage). */
  readonly tmpBytes: number;
  /** A host folder of Jeff's for this environment's bookkeeping (pasta's pid file). */
  readonly runDir: string;
  /**
   * Give the command one end of a socket pair on descriptor 3 (`child.stdio[3]` is the other):
   * a channel to this environment alone, which needs no network.
   */
  readonly channel?: boolean;
}

export class SandboxedProcess {
  readonly child: ChildProcess;
  readonly #isolation: SandboxIsolation;
  readonly #request: SandboxRequest;
  #cgroup: EnvironmentCgroup | undefined;
  #pasta: ChildProcess | undefined;
  /** The namespace's init (bubblewrap's inner process), by its host pid. */
  #initPid: number | undefined;
  #runtimePid: number | undefined;
  #disposed: Promise<void> | undefined;
  /** Read from the cgroup just before it is removed, for the report of how the process ended. */
  #oomKilled: boolean | undefined;
  #aborted = false;

  private constructor(isolation: SandboxIsolation, request: SandboxRequest, child: ChildProcess) {
    this.#isolation = isolation;
    this.#request = request;
    this.child = child;
  }

  /** Builds the sandbox and starts the command in it; rejects if the sandbox could not be built. */
  static async start(isolation: SandboxIsolation, request: SandboxRequest): Promise<SandboxedProcess> {
    await mkdir(request.runDir, { recursive: true, mode: 0o700 });
    // The users the sandbox knows: a file of Jeff's, bound read-only, so the host's never show.
    const passwd = join(request.runDir, "passwd");
    await writeFile(passwd, sandboxPasswd, { mode: 0o444 });
    // Bind sources are opened here, by Jeff: bubblewrap runs as a user that may not even reach
    // them (the data directory is Jeff's alone), and a descriptor names exactly what was checked.
    const sources = [
      { source: request.codeDir, target: sandboxPaths.taskRoot },
      { source: passwd, target: "/etc/passwd" },
      ...request.binds,
    ];
    const fds: number[] = [];
    let child: ChildProcess;
    try {
      for (const bind of sources) fds.push(openSync(bind.source, "r"));
      const binds = sources.map((bind, index) => ({ fd: firstBindFd + index, target: bind.target }));
      const command = [isolation.bwrap, ...bwrapArgs(request, binds, rlimits(isolation))];
      child = spawn(command[0]!, command.slice(1), {
        env: request.env,
        stdio: ["ignore", "pipe", "pipe", request.channel ? "pipe" : "ignore", "pipe", "pipe", ...fds],
      });
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    const sandbox = new SandboxedProcess(isolation, request, child);
    try {
      await sandbox.#setUp();
      return sandbox;
    } catch (error) {
      sandbox.kill();
      await sandbox.dispose();
      throw error;
    }
  }

  async #setUp(): Promise<void> {
    const child = this.child;
    const stdio = child.stdio as unknown as readonly unknown[];
    const info = stdio[infoFd] as NodeJS.ReadableStream;
    const block = stdio[blockFd] as Writable;
    // bubblewrap closes both once it has used them; that is no error of the sandbox's.
    info.on("error", () => {});
    block.on("error", () => {});
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    const exited = new Promise<never>((_resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`the sandbox ended while starting (${signal ?? `exit ${code}`}): ${stderr.trim()}`)),
      );
    });
    exited.catch(() => {});
    const deadline = new Promise<never>((_resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the sandbox took too long to start")), setupLimitMs);
      timer.unref();
      child.once("exit", () => clearTimeout(timer));
    });
    deadline.catch(() => {});
    const steps = (async () => {
      this.#initPid = await readInitPid(info);
      if (this.#aborted) return;
      const limits = {
        memoryBytes: this.#request.memoryMb * 1024 * 1024 + this.#request.tmpBytes,
        pids: pidsLimit,
        cpus: Math.max(1, this.#request.memoryMb / mbPerCpu),
      };
      if (this.#isolation.cgroups) {
        this.#cgroup = this.#isolation.cgroups.create(this.#request.id, limits);
        this.#cgroup.attach(this.#initPid);
      }
      await userNamespaceReady(this.#initPid);
      if (this.#aborted) return;
      await this.#startNetwork(this.#initPid);
      if (this.#aborted) return;
      block.end("go");
    })();
    await Promise.race([steps, exited, deadline]);
  }

  async #startNetwork(initPid: number): Promise<void> {
    const pidFile = join(this.#request.runDir, "pasta.pid");
    // pasta joins the sandbox's namespaces through descriptors Jeff opens. Run by root,
    // bubblewrap makes the network namespace before the user namespace, so pasta (root) joins
    // the network namespace alone; run by anyone else, the user namespace owns it and pasta
    // joins both.
    const root = process.getuid?.() === 0;
    const netns = openSync(`/proc/${initPid}/ns/net`, "r");
    let userns: number;
    try {
      userns = openSync(`/proc/${initPid}/ns/user`, "r");
    } catch (error) {
      closeSync(netns);
      throw error;
    }
    const inbound = this.#request.inboundPort;
    const args = [
      "-f",
      "-q",
      "-P",
      pidFile,
      // Lambda functions reach the world over IPv4.
      "-4",
      "--config-net",
      "-t",
      inbound === undefined ? "none" : `127.0.0.1/${inbound}`,
      "-u",
      "none",
      "-T",
      this.#request.loopbackPorts.join(","),
      "-U",
      "none",
      // Without this the gateway address would lead to everything on the host's loopback.
      "--no-map-gw",
      ...(root ? ["--runas", "0"] : []),
      "--netns",
      "/proc/self/fd/3",
      ...(root ? [] : ["--userns", "/proc/self/fd/4"]),
    ];
    const pdeathsig = [this.#isolation.setpriv, "--pdeathsig", "KILL", "--"];
    let pasta: ChildProcess;
    try {
      const command = [...pdeathsig, this.#isolation.pasta, ...args];
      pasta = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "ignore", "pipe", netns, userns] });
    } finally {
      closeSync(netns);
      closeSync(userns);
    }
    this.#pasta = pasta;
    let said = "";
    pasta.stderr?.on("data", (chunk: Buffer) => {
      if (said.length < 4096) said += chunk.toString("utf8");
    });
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        watcher.close();
        pasta.off("exit", failed);
      };
      const check = () => {
        if (readable(pidFile)) {
          done();
          resolve();
        }
      };
      const failed = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        const reason = said
          .split("\n")
          .filter((line) => line && !line.includes("syslog"))
          .join("; ");
        reject(
          new Error(`the sandbox's network did not start (pasta: ${signal ?? `exit ${code}`}) ${reason}`),
        );
      };
      const watcher = watch(this.#request.runDir, check);
      pasta.once("exit", failed);
      check();
    });
    // A sandbox whose network died is no sandbox to run more code in: it ends too.
    pasta.once("exit", () => {
      if (!this.#aborted) this.kill();
    });
  }

  /** The host pid of the runtime process (the command), once it runs. */
  runtimePid(): number | undefined {
    if (this.#runtimePid !== undefined || this.#initPid === undefined) return this.#runtimePid;
    try {
      const children = readFileSync(`/proc/${this.#initPid}/task/${this.#initPid}/children`, "utf8");
      const first = Number.parseInt(children, 10);
      if (Number.isInteger(first)) this.#runtimePid = first;
    } catch {
      // Not started yet, or gone.
    }
    return this.#runtimePid;
  }

  /** Whether the kernel holds the sandbox to its memory (a cgroup does), not only Jeff's watchdog. */
  get memoryLimited(): boolean {
    return this.#cgroup !== undefined;
  }

  /** Memory of every process in the sandbox, where a cgroup counts it. */
  residentBytes(): number | undefined {
    return this.#cgroup?.residentBytes();
  }

  oomKilled(): boolean {
    return this.#oomKilled ?? this.#cgroup?.oomKilled() ?? false;
  }

  /** Ends every process in the sandbox. */
  kill(): void {
    for (const pid of [this.child.pid, this.#initPid]) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
  }

  /** After the process is gone: its network, its cgroup and its folder go too. */
  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      this.#aborted = true;
      this.#pasta?.kill("SIGKILL");
      this.#oomKilled = this.#cgroup?.oomKilled() ?? false;
      await this.#cgroup?.remove();
      await rm(this.#request.runDir, { recursive: true, force: true });
    })();
    return this.#disposed;
  }
}

function readInitPid(info: NodeJS.ReadableStream): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (!match) return;
      info.off("data", onData);
      resolve(Number(match[1]));
    };
    info.on("data", onData);
    info.once("end", () => reject(new Error("the sandbox did not say which process it started")));
  });
}

/**
 * bubblewrap reports its child before it has written the child's uid map; pasta cannot work in a
 * user namespace without one, so wait for it.
 */
async function userNamespaceReady(pid: number): Promise<void> {
  for (let waited = 0; ; waited++) {
    let map: string;
    try {
      map = readFileSync(`/proc/${pid}/uid_map`, "utf8");
    } catch {
      throw new Error("the sandbox ended while starting");
    }
    if (map.trim()) return;
    await new Promise((resolve) => (waited < 20 ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
}

function readable(path: string): boolean {
  try {
    return readFileSync(path, "utf8").trim().length > 0;
  } catch {
    return false;
  }
}

/**
 * Lambda's resource limits (resource-limits.ts), which a function reads as on AWS, set inside the
 * sandbox: the process limit (742) then counts the environment's own user namespace, so it is
 * also the fork bomb's wall where there is no cgroup (where there is one, its 1,024 pids hold too).
 * Set outside, before the namespace exists, it would also cap the namespace's owner: every
 * process Jeff's user runs on the host would count against each environment's 742.
 */
function rlimits(isolation: SandboxIsolation): string[] {
  // prlimit runs inside, where only /usr and the top-level links into it are shown.
  const prlimit = isolation.prlimit;
  if (prlimit === undefined || !/^\/(usr|bin|sbin)\//.test(prlimit)) return [];
  return [prlimit, ...sandboxPrlimitOptions(), "--"];
}

/** /dev/shm's size: POSIX shared memory for the odd library that wants it. */
const shmBytes = 64 * 1024 * 1024;

/**
 * The kernel's knobs stay out of reach even where the sandbox's uid is the host's root with no
 * capabilities (Jeff run as root): /proc/sys read-only, and the files that act on the whole host
 * or show its memory hidden, as container runtimes do.
 */
function procMasks(): string[] {
  const masks = ["--ro-bind", "/proc/sys", "/proc/sys"];
  for (const path of [
    "/proc/sysrq-trigger",
    "/proc/kcore",
    "/proc/keys",
    "/proc/kmsg",
    "/proc/timer_list",
    "/proc/sched_debug",
    "/proc/latency_stats",
  ]) {
    if (existsSync(path)) masks.push("--ro-bind", "/dev/null", path);
  }
  for (const path of ["/proc/irq", "/proc/bus", "/proc/fs", "/proc/acpi", "/proc/scsi"]) {
    if (existsSync(path)) masks.push("--ro-bind", path, path);
  }
  return masks;
}

/**
 * Descriptor 3 is the runtime's channel, which bubblewrap hands on to the command as it is;
 * 4 and 5 are bubblewrap's info and block pipes; bind sources follow.
 */
const infoFd = 4;
const blockFd = 5;
const firstBindFd = 6;

function bwrapArgs(
  request: SandboxRequest,
  binds: readonly { fd: number; target: string }[],
  limits: readonly string[],
): string[] {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--uid",
    String(sandboxUser.uid),
    "--gid",
    String(sandboxUser.gid),
    "--hostname",
    "localhost",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    ...systemView(),
  ];
  args.push("--proc", "/proc", ...procMasks());
  // A small /dev/shm, then /dev itself read-only: no tmpfs the function can fill but /tmp.
  args.push("--dev", "/dev", "--size", String(shmBytes), "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
  args.push("--perms", "1777", "--size", String(request.tmpBytes), "--tmpfs", sandboxPaths.tmp);
  for (const bind of binds) args.push("--ro-bind-fd", String(bind.fd), bind.target);
  args.push("--dir", sandboxPaths.layers);
  // Last of the mounts: the root folder bubblewrap built (and /var within it) becomes read-only.
  args.push("--remount-ro", "/");
  args.push(
    "--chdir",
    request.cwd,
    "--info-fd",
    String(infoFd),
    "--block-fd",
    String(blockFd),
    "--",
    // bubblewrap sets PWD and OLDPWD when it changes folder; a runtime has only the PWD its
    // environment names, as on Lambda (its Node and Python runtimes have one, `provided` none).
    "/usr/bin/env",
    "-u",
    "OLDPWD",
    ...(request.env.PWD === undefined ? ["-u", "PWD"] : [`PWD=${request.env.PWD}`]),
    ...limits,
    request.command,
    ...request.args,
  );
  return args;
}
