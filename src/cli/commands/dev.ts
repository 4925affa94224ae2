/**
 * `jeff dev [dir]`: serve, deploy the project's template, and redeploy whenever the template or a
 * function's code changes. A redeploy repackages (and rebuilds) the code; a function whose code
 * did not change keeps its package, and one whose code did runs the new code on its next
 * invocation, with no restart. With `--endpoint`, nothing is served here: the loop deploys to the
 * Jeff at that URL, on this machine or another. A project with a `tsconfig.json` is type-checked
 * after each deploy, in the background (`type-check.ts`).
 */
import { relative, resolve, sep } from "node:path";
import { type FSWatcher, watch } from "chokidar";
import { envVars } from "../../server/env-vars.js";
import { createOutput, type Output } from "../output.js";
import { dataDirFor } from "../project.js";
import { selfCommand } from "../self-command.js";
import { defaultStackName, templatePath } from "../template-file.js";
import { TypeChecker } from "../type-check.js";
import { deployProject, parseOverrides, reportOutcome } from "./deploy.js";
import { type ServeFlags, serveProject, untilSignalled } from "./serve.js";

export interface DevFlags extends ServeFlags {
  stack?: string;
  parameterOverrides?: string[];
  endpoint?: string;
}

/** Changes here never mean a redeploy: dependencies, version control, Jeff's own data. */
const ignoredSegments = new Set(["node_modules", ".git", ".jeff", ".aws-sam"]);

export async function runDev(dir: string, flags: DevFlags): Promise<void> {
  const projectDir = resolve(dir);
  parseOverrides(flags.parameterOverrides);
  const out = createOutput(flags.json === true);
  const endpoint = flags.endpoint ?? (process.env[envVars.endpoint] || undefined);
  // A developer running their own code: the sandbox where it can be built, a warning otherwise.
  const server =
    endpoint === undefined
      ? await serveProject(projectDir, {
          ...withoutPrestart(flags),
          isolation: flags.isolation ?? "auto",
          ...devPrestart(flags.prestart),
          ...devWarmPool(flags.warmPool),
        })
      : undefined;
  const dataDir = server?.config.dataDir ?? dataDirFor(projectDir, flags.dataDir);
  const deployFlags = {
    stack: flags.stack ?? defaultStackName(projectDir),
    ...(endpoint ? { endpoint } : {}),
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.parameterOverrides ? { parameterOverrides: flags.parameterOverrides } : {}),
    json: flags.json === true,
  };
  const file = templatePath(projectDir);
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void redeploy(), 150);
  };
  // Watching before the first deploy, so a save while it runs is not missed.
  const watcher = new ProjectWatcher(file, projectDir, dataDir, schedule);
  // Type errors are reported beside the deploys, never in their way.
  const types = TypeChecker.for(projectDir, out);
  const redeploy = serialised(async () => {
    await deployOnce(projectDir, deployFlags, out, (sources) => watcher.watch(sources));
    types?.check();
  });
  await redeploy();
  const envCommand =
    endpoint === undefined
      ? `${selfCommand()} env --data-dir ${relative(process.cwd(), dataDir) || "."}`
      : `${selfCommand()} env --endpoint ${endpoint}`;
  out.note(
    `Watching ${file} and the functions' code. To use the AWS CLI, in another terminal: eval "$(${envCommand})"`,
  );
  await untilSignalled(server, async () => {
    clearTimeout(timer);
    types?.close();
    await watcher.close();
  });
}

/**
 * One watcher (chokidar) over the template and every function's source, kept in step with the
 * template. Unlike `fs.watch`, whose recursive mode on Linux watches each file it found, it sees a
 * file replaced by an editor's atomic save (written aside, renamed over), new and deleted files
 * and folders, and a branch checked out.
 */
class ProjectWatcher {
  readonly #watcher: FSWatcher;
  #sources = new Set<string>();

  constructor(
    template: string,
    private readonly projectDir: string,
    private readonly dataDir: string,
    onChange: () => void,
  ) {
    this.#watcher = watch(template, {
      ignoreInitial: true,
      ignored: (path) => this.#ignored(path),
    });
    this.#watcher.on("all", () => onChange());
    // A path that vanished is reported by the next deploy.
    this.#watcher.on("error", () => {});
  }

  /** Watches exactly these source paths (besides the template) from now on. */
  watch(sources: readonly string[]): void {
    const wanted = new Set(sources);
    const gone = [...this.#sources].filter((path) => !wanted.has(path));
    const added = [...wanted].filter((path) => !this.#sources.has(path));
    if (gone.length > 0) this.#watcher.unwatch(gone);
    if (added.length > 0) this.#watcher.add(added);
    this.#sources = wanted;
  }

  #ignored(path: string): boolean {
    const full = resolve(path);
    if (full === this.dataDir || full.startsWith(this.dataDir + sep)) return true;
    // Judged inside the project: a project that itself sits under such a folder is still watched.
    return relative(this.projectDir, full)
      .split(sep)
      .some((segment) => ignoredSegments.has(segment));
  }

  close(): Promise<void> {
    return this.#watcher.close();
  }
}

async function deployOnce(
  projectDir: string,
  flags: Parameters<typeof deployProject>[1],
  out: Output,
  onSources: (sources: readonly string[]) => void,
): Promise<void> {
  try {
    reportOutcome(out, await deployProject(projectDir, flags, out, onSources), "deploy");
  } catch (error) {
    // A bad save must not end the session: say what is wrong and wait for the next one.
    process.stderr.write(`jeff: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** Runs `task` one at a time; calls made while it runs collapse into one more run afterwards. */
function serialised(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  return run;
}

/**
 * `jeff dev` starts environments ahead of need unless told not to (`--no-prestart`, or
 * `$JEFF_FUNCTION_PRESTART`, which then decides as for serve): a save's first invocation is warm.
 */
function devPrestart(flag: boolean | undefined): { prestart?: boolean } {
  if (flag === false) return { prestart: false };
  return process.env[envVars.functionPrestart] ? {} : { prestart: true };
}

/** `jeff dev` keeps one pooled slot per kind in use unless told otherwise (`--warm-pool`, `$JEFF_FUNCTION_POOL`). */
function devWarmPool(flag: string | undefined): { warmPool?: string } {
  if (flag !== undefined) return { warmPool: flag };
  return process.env[envVars.functionPool] ? {} : { warmPool: "1" };
}

function withoutPrestart(flags: DevFlags): Omit<DevFlags, "prestart"> {
  const { prestart: _, ...rest } = flags;
  return rest;
}
