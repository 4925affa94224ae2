// Starts the real `jeff` binary on port 0 with a temporary data directory, as a user would.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { storeEnvFor } from "../stores.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const jeffBin = join(repoRoot, "bin/jeff.js");
export const awsCli = "/usr/bin/aws";

export interface JeffCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface JeffProcess {
  readonly url: string;
  readonly port: number;
  readonly accountId: string;
  readonly dataDir: string;
  readonly region: string;
  readonly credentials: JeffCredentials;
  readonly child: ChildProcess;
  /** stderr so far (the server's logs). */
  logs(): string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited (by itself or after a signal sent elsewhere). */
  exited(): Promise<number | null>;
  /** Environment for child processes such as the AWS CLI. */
  awsEnv(): NodeJS.ProcessEnv;
}

const run = promisify(execFile);

export async function runJeff(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const cwd = options.cwd ?? repoRoot;
  return run(process.execPath, [jeffBin, ...args], {
    cwd,
    env: { ...process.env, ...(await storeEnvFor(dataDirIn(args, cwd))), ...options.env },
  });
}

/** Flags that take no value, so that the word after one is not taken for it. */
const switches = new Set(["--json", "--follow", "--all", "-f"]);

/** The data directory a `jeff` command line names, else the project's default (`<dir>/.jeff`). */
function dataDirIn(args: readonly string[], cwd: string): string {
  const flag = args.indexOf("--data-dir");
  if (flag !== -1 && args[flag + 1] !== undefined) return resolve(cwd, args[flag + 1]!);
  let project = ".";
  if (args[0] === "dev") {
    for (let i = 1; i < args.length; i++) {
      const arg = args[i]!;
      if (arg.startsWith("-")) {
        if (!switches.has(arg) && !arg.includes("=")) i++;
        continue;
      }
      project = arg;
      break;
    }
  }
  return resolve(cwd, project, ".jeff");
}

export async function startJeff(
  options: { dataDir?: string; args?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<JeffProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "jeff-test-")));
  const child = spawn(
    process.execPath,
    [jeffBin, "serve", "--port", "0", "--data-dir", dataDir, "--json", ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env: { ...process.env, JEFF_LOG_FORMAT: "json", ...(await storeEnvFor(dataDir)), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = await new Promise<{ url: string; port: number; accountId: string }>((resolve, reject) => {
    let stdout = "";
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        const parsed = JSON.parse(stdout) as { url: string; port: number; accountId: string };
        child.stdout!.off("data", onData);
        resolve(parsed);
      } catch {
        // not a whole document yet
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`jeff serve exited with ${code}: ${stderr}`)));
  });
  const { stdout } = await runJeff(["env", "--json", "--data-dir", dataDir], { env: options.env ?? {} });
  const env = JSON.parse(stdout) as Record<string, string>;
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    ...started,
    dataDir,
    region: env.AWS_REGION!,
    credentials,
    child,
    logs: () => stderr,
    exited: () => exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
    awsEnv: () => ({
      PATH: process.env.PATH,
      HOME: dataDir,
      AWS_ENDPOINT_URL: started.url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: env.AWS_REGION,
      AWS_PAGER: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    }),
  };
}

/**
 * Runs `/usr/bin/aws` and returns its exit code, stdout and stderr without throwing. Debian's CLI
 * (2.9) predates `AWS_ENDPOINT_URL`, so the endpoint goes on the command line.
 */
export async function aws(args: readonly string[], env: NodeJS.ProcessEnv) {
  const endpoint = env.AWS_ENDPOINT_URL ? ["--endpoint-url", env.AWS_ENDPOINT_URL] : [];
  try {
    const { stdout, stderr } = await run(awsCli, [...args, ...endpoint], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** What an AWS SDK v3 client needs to call this Jeff, with no retries to hide a failure. */
export function sdkConfig(jeff: Pick<JeffProcess, "url" | "region" | "credentials">) {
  return { endpoint: jeff.url, region: jeff.region, credentials: jeff.credentials, maxAttempts: 1 };
}
