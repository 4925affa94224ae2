/**
 * The resource limits (`getrlimit`) of a Lambda execution environment, as a function reads them on
 * AWS: 1,024 open files, 742 processes, 64 KiB of locked memory, 10 GiB core files, an 8 MB stack
 * whose hard limit is unlimited. The sandbox starts under them (`prlimit`), each clamped to what
 * Jeff itself may set: a limit can only be raised up to the hard limit Jeff runs under.
 */
import { readFileSync } from "node:fs";

interface Limit {
  /** prlimit's option. */
  readonly option: string;
  /** The line of /proc/self/limits that shows the current value. */
  readonly procName: string;
  readonly soft: number;
  readonly hard: number;
}

export const lambdaLimits: readonly Limit[] = [
  { option: "nofile", procName: "Max open files", soft: 1024, hard: 1024 },
  { option: "nproc", procName: "Max processes", soft: 742, hard: 742 },
  { option: "memlock", procName: "Max locked memory", soft: 65_536, hard: 65_536 },
  { option: "core", procName: "Max core file size", soft: 10_737_418_240, hard: 10_737_418_240 },
  { option: "stack", procName: "Max stack size", soft: 8_388_608, hard: Number.POSITIVE_INFINITY },
];

/** The hard limits in /proc/self/limits' text, by line name (unlimited as Infinity). */
export function hardLimits(procLimits: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of procLimits.split("\n").slice(1)) {
    const match = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!match) continue;
    out.set(match[1]!.trim(), match[3] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[3]));
  }
  return out;
}

/** prlimit's options for Lambda's limits, none above the hard limits in `current`. */
export function prlimitOptions(current: ReadonlyMap<string, number>): string[] {
  return lambdaLimits.map((limit) => {
    const ceiling = current.get(limit.procName) ?? Number.POSITIVE_INFINITY;
    const hard = Math.min(limit.hard, ceiling);
    const soft = Math.min(limit.soft, hard);
    const show = (n: number) => (n === Number.POSITIVE_INFINITY ? "unlimited" : String(n));
    return `--${limit.option}=${show(soft)}:${show(hard)}`;
  });
}

let options: string[] | undefined;

/** prlimit's options for this process, read once. */
export function sandboxPrlimitOptions(): string[] {
  if (options) return options;
  let text = "";
  try {
    text = readFileSync("/proc/self/limits", "utf8");
  } catch {
    // Not Linux: no limits known, none raised past what prlimit will refuse.
  }
  options = prlimitOptions(hardLimits(text));
  return options;
}
