/**
 * Kernel limits for one execution environment: a cgroup per environment in each controller Jeff
 * uses (memory, pids, cpu), created under `jeff/` in the cgroup v1 hierarchies. The sandboxed
 * processes cannot lift them: the files belong to the host's root, outside their namespaces.
 *
 * Only cgroup v1 with writable hierarchies is used today; elsewhere `openCgroups` answers
 * undefined and the sandbox falls back to rlimits (see sandboxed-process.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const v1Root = "/sys/fs/cgroup";
const controllers = ["memory", "pids", "cpu"] as const;
type Controller = (typeof controllers)[number];

export interface CgroupLimits {
  /** The kernel's hard limit on the group's memory, /tmp's tmpfs pages included. */
  readonly memoryBytes: number;
  /** Processes and threads together, as Lambda's limit of 1,024. */
  readonly pids: number;
  /** CPU time per period, in cores (1 = one core's worth). */
  readonly cpus: number;
}

export interface EnvironmentCgroup {
  /** Moves a process (and so everything it starts later) into the group. */
  attach(pid: number): void;
  /** Anonymous memory of every process in the group (what the function itself uses), in bytes. */
  residentBytes(): number | undefined;
  /** Whether the kernel killed a process of the group for memory. */
  oomKilled(): boolean;
  /** Kills whatever is left in the group and removes it. */
  remove(): Promise<void>;
}

export interface Cgroups {
  readonly version: "v1";
  create(id: string, limits: CgroupLimits): EnvironmentCgroup;
}

/** The cgroups Jeff can create, or undefined where it cannot (no v1 hierarchy, or not writable). */
export function openCgroups(ownerPid = process.pid): Cgroups | undefined {
  const parents = new Map<Controller, string>();
  for (const controller of controllers) {
    const root = join(v1Root, controller);
    if (!existsSync(join(root, "cgroup.procs"))) return undefined;
    const parent = join(root, "jeff");
    try {
      mkdirSync(parent, { recursive: true });
      // Only root may write here; a probe group proves it.
      const probe = join(parent, `probe-${ownerPid}`);
      mkdirSync(probe, { recursive: true });
      rmdirSync(probe);
    } catch {
      return undefined;
    }
    parents.set(controller, parent);
  }
  void removeStaleGroups(parents);
  return {
    version: "v1",
    create(id, limits) {
      return createGroup(parents, `${ownerPid}-${id}`, limits);
    },
  };
}

function createGroup(
  parents: Map<Controller, string>,
  name: string,
  limits: CgroupLimits,
): EnvironmentCgroup {
  const dirs = new Map<Controller, string>();
  for (const [controller, parent] of parents) {
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    dirs.set(controller, dir);
  }
  const memory = dirs.get("memory")!;
  const pids = dirs.get("pids")!;
  const cpu = dirs.get("cpu")!;
  writeFileSync(join(memory, "memory.limit_in_bytes"), String(limits.memoryBytes));
  // Without swap limited too, the group would page out instead of meeting its limit.
  writeIfExists(join(memory, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
  writeIfExists(join(memory, "memory.swappiness"), "0");
  writeFileSync(join(pids, "pids.max"), String(limits.pids));
  const period = 100_000;
  writeIfExists(join(cpu, "cpu.cfs_period_us"), String(period));
  writeIfExists(join(cpu, "cpu.cfs_quota_us"), String(Math.max(1_000, Math.round(limits.cpus * period))));
  return {
    attach(pid) {
      for (const dir of dirs.values()) writeFileSync(join(dir, "cgroup.procs"), String(pid));
    },
    residentBytes() {
      const stat = readOrUndefined(join(memory, "memory.stat"));
      const match = stat && /^total_rss (\d+)$/m.exec(stat);
      return match?.[1] ? Number(match[1]) : undefined;
    },
    oomKilled() {
      const control = readOrUndefined(join(memory, "memory.oom_control"));
      const match = control && /^oom_kill (\d+)$/m.exec(control);
      // Kernels before 4.13 do not count kills: the watchdog's own reading is all there is.
      return match?.[1] ? Number(match[1]) > 0 : false;
    },
    async remove() {
      await Promise.all([...dirs.values()].map((dir) => removeGroup(dir)));
    },
  };
}

/** Groups of a Jeff that no longer runs (killed before it could remove them). */
async function removeStaleGroups(parents: Map<Controller, string>): Promise<void> {
  for (const parent of parents.values()) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      const owner = Number.parseInt(name, 10);
      if (!Number.isInteger(owner) || running(owner)) continue;
      await removeGroup(join(parent, name));
    }
  }
}

async function removeGroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const procs = readOrUndefined(join(dir, "cgroup.procs"));
    if (procs === undefined) return;
    for (const pid of procs.split("\n").filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY") return;
      // Killed processes leave the group a moment after the signal; try again.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function writeIfExists(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // Not every kernel offers every knob (memsw needs swap accounting).
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
