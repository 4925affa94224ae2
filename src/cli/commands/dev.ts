/** `jeff dev [dir]`: serve, deploy the project's template, and redeploy whenever it changes. */
import { watch } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { createOutput, type Output } from "../output.js";
import { defaultStackName, templatePath } from "../template-file.js";
import { deployProject, parseOverrides, reportOutcome } from "./deploy.js";
import { type ServeFlags, serveProject, untilSignalled } from "./serve.js";

export interface DevFlags extends ServeFlags {
  stack?: string;
  parameterOverrides?: string[];
}

export async function runDev(dir: string, flags: DevFlags): Promise<void> {
  const projectDir = resolve(dir);
  parseOverrides(flags.parameterOverrides);
  const out = createOutput(flags.json === true);
  const server = await serveProject(projectDir, flags);
  const deployFlags = {
    stack: flags.stack ?? defaultStackName(projectDir),
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.parameterOverrides ? { parameterOverrides: flags.parameterOverrides } : {}),
    json: flags.json === true,
  };
  const redeploy = serialised(() => deployOnce(projectDir, deployFlags, out));
  await redeploy();
  const file = templatePath(projectDir);
  const envCommand = `npx jeff env --data-dir ${relative(process.cwd(), server.config.dataDir) || "."}`;
  out.note(`Watching ${file}. To use the AWS CLI, in another terminal: eval "$(${envCommand})"`);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_event, name) => {
    if (name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void redeploy(), 150);
  });
  await untilSignalled(server, async () => {
    clearTimeout(timer);
    watcher.close();
  });
}

async function deployOnce(
  projectDir: string,
  flags: Parameters<typeof deployProject>[1],
  out: Output,
): Promise<void> {
  try {
    reportOutcome(out, await deployProject(projectDir, flags, out), "deploy");
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
