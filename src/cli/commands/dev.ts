/**
 * `jeff dev [dir]`: serve, deploy the project's template, and redeploy whenever the template or a
 * function's code changes. A redeploy repackages (and rebuilds) the code; a function whose code
 * did not change keeps its package, and one whose code did runs the new code on its next
 * invocation, with no restart. With `--endpoint`, nothing is served here: the loop deploys to the
 * Jeff at that URL, on this machine or another.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, relative, resolve, sep } from "node:path";
import { envVars } from "../../server/env-vars.js";
import { createOutput, type Output } from "../output.js";
import { dataDirFor } from "../project.js";
import { defaultStackName, templatePath } from "../template-file.js";
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
      ? await serveProject(projectDir, { ...flags, isolation: flags.isolation ?? "auto" })
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
  const code = new CodeWatchers(dataDir, schedule);
  const redeploy = serialised(() =>
    deployOnce(projectDir, deployFlags, out, (sources) => code.watch(sources)),
  );
  // Watch before the first deploy, so a save while it runs is not missed.
  const watcher = watch(dirname(file), (_event, name) => {
    if (name === basename(file)) schedule();
  });
  await redeploy();
  const envCommand =
    endpoint === undefined
      ? `npx jeff env --data-dir ${relative(process.cwd(), dataDir) || "."}`
      : `npx jeff env --endpoint ${endpoint}`;
  out.note(
    `Watching ${file} and the functions' code. To use the AWS CLI, in another terminal: eval "$(${envCommand})"`,
  );
  await untilSignalled(server, async () => {
    clearTimeout(timer);
    watcher.close();
    code.close();
  });
}

/** One recursive watcher per function source folder, kept in step with the template. */
class CodeWatchers {
  readonly #watchers = new Map<string, FSWatcher>();

  constructor(
    private readonly dataDir: string,
    private readonly onChange: () => void,
  ) {}

  watch(sources: readonly string[]): void {
    const wanted = new Set(sources);
    for (const [path, watcher] of this.#watchers) {
      if (!wanted.has(path)) {
        watcher.close();
        this.#watchers.delete(path);
      }
    }
    for (const path of wanted) {
      if (this.#watchers.has(path)) continue;
      try {
        const watcher = watch(path, { recursive: true }, (_event, name) => {
          if (name !== null && this.#relevant(path, String(name))) this.onChange();
        });
        watcher.on("error", () => this.#watchers.delete(path));
        this.#watchers.set(path, watcher);
      } catch {
        // A path that vanished is reported by the next deploy.
      }
    }
  }

  #relevant(root: string, name: string): boolean {
    const full = resolve(root, name);
    if (full === this.dataDir || full.startsWith(this.dataDir + sep)) return false;
    return !name.split(sep).some((segment) => ignoredSegments.has(segment));
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
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
