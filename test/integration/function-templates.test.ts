// Functions deployed from a SAM template by `jeff deploy` and `jeff dev`: TypeScript bundled with
// esbuild, Python from a folder, inline code, AWS::Lambda::Function; and the edit-save-invoke loop.
import { type ChildProcess, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, jeffBin, repoRoot, runJeff, startJeff } from "./jeff-process.js";

const fixture = join(repoRoot, "test/fixtures/projects/functions");
const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

function client(url: string, region: string, credentials: JeffProcess["credentials"]) {
  return new LambdaClient({ endpoint: url, region, credentials, maxAttempts: 1 });
}

async function invoke(lambda: LambdaClient, name: string, event: unknown = {}) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  return { error: out.FunctionError, body: JSON.parse(decode(out.Payload)) as Record<string, unknown> };
}

async function copyProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "jeff-project-"));
  await cp(fixture, dir, { recursive: true });
  return dir;
}

describe("jeff deploy with functions", () => {
  let jeff: JeffProcess;
  let lambda: LambdaClient;
  let project: string;
  const outputs: Record<string, string> = {};

  beforeAll(async () => {
    jeff = await startJeff();
    lambda = client(jeff.url, jeff.region, jeff.credentials);
    project = await copyProject();
    const { stdout } = await runJeff(["deploy", "--stack", "fns", "--data-dir", jeff.dataDir, "--json"], {
      cwd: project,
    });
    Object.assign(outputs, (JSON.parse(stdout) as { outputs: Record<string, string> }).outputs);
  }, 60_000);
  afterAll(async () => {
    await jeff?.stop();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it("bundles TypeScript with esbuild and runs it with Lambda's context, Globals and parameters", async () => {
    expect(outputs.GreeterArn).toBe(`arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:fns-greeter`);
    const { error, body } = await invoke(lambda, "fns-greeter", { name: "Ada" });
    expect(error).toBeUndefined();
    expect(body).toEqual({
      message: "Hello, Ada!",
      stage: "test",
      functionName: "fns-greeter",
      memory: "256",
      envMemory: "256",
      logGroup: "/aws/lambda/fns-greeter",
      remaining: true,
      executionEnv: "AWS_Lambda_nodejs22.x",
    });
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: "fns-greeter" }));
    expect(fn.Configuration?.Timeout).toBe(5);
    expect(fn.Configuration?.Environment?.Variables).toEqual({ STAGE: "test", GREETING: "Hello" });
    expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(5);
    const config = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: "fns-greeter" }),
    );
    expect(config.MaximumRetryAttempts).toBe(0);
    expect(config.MaximumEventAgeInSeconds).toBe(120);
  });

  it("points a thrown error's stack trace at the TypeScript line", async () => {
    const { error, body } = await invoke(lambda, outputs.FailingName!);
    expect(error).toBe("Unhandled");
    expect(body.errorType).toBe("BadNews");
    expect(body.errorMessage).toBe("this line is in fail.ts");
    expect((body.trace as string[]).join("\n")).toMatch(/src\/fail\.ts:6:\d+/);
  });

  it("runs Python from a folder, inline code and AWS::Lambda::Function's ZipFile", async () => {
    expect(outputs.SnakeName).toMatch(/^fns-Snake-[A-Z0-9]{12}$/);
    expect((await invoke(lambda, outputs.SnakeName!)).body).toEqual({
      snake: true,
      stage: "test",
      version: "$LATEST",
      runtime: "AWS_Lambda_python3.12",
    });
    expect((await invoke(lambda, outputs.InlineName!, { a: 1 })).body).toEqual({
      inline: true,
      echo: { a: 1 },
    });
    expect((await invoke(lambda, outputs.PlainName!)).body).toEqual({ plain: true, name: outputs.PlainName });
  });

  it("changes nothing on a second deploy of the same code, and deletes the functions with the stack", async () => {
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: "fns-greeter" }));
    const { stdout } = await runJeff(["deploy", "--stack", "fns", "--data-dir", jeff.dataDir, "--json"], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toMatchObject({ changed: false });
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: "fns-greeter" }));
    expect(after.Configuration?.CodeSha256).toBe(before.Configuration?.CodeSha256);
    await runJeff(["delete", "--stack", "fns", "--data-dir", jeff.dataDir], { cwd: project });
    const left = await lambda.send(new ListFunctionsCommand({}));
    expect(left.Functions ?? []).toEqual([]);
  });
});

describe("jeff deploy with a bad function", () => {
  it("reports the field and rolls back, creating no function", async () => {
    const jeff = await startJeff();
    const project = await copyProject();
    try {
      const template = await readFile(join(project, "template.yaml"), "utf8");
      await writeFile(join(project, "template.yaml"), template.replace("Timeout: 5", "Timeout: 901"));
      const failed = await runJeff(["deploy", "--stack", "bad", "--data-dir", jeff.dataDir], {
        cwd: project,
      }).catch((error: { stdout: string; stderr: string }) => error);
      expect("stderr" in failed ? failed.stdout + failed.stderr : "").toMatch(
        /timeout.*less than or equal to 900/,
      );
      const left = await client(jeff.url, jeff.region, jeff.credentials).send(new ListFunctionsCommand({}));
      expect(left.Functions ?? []).toEqual([]);
    } finally {
      await jeff.stop();
      await rm(project, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("jeff dev", () => {
  let dev: ChildProcess | undefined;
  let project: string;

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      dev.kill("SIGTERM");
      await new Promise((resolve) => dev!.once("exit", resolve));
    }
    if (project) await rm(project, { recursive: true, force: true });
  });

  it("runs the new TypeScript on the next invocation after a save, with no restart", async () => {
    project = await copyProject();
    const dataDir = join(project, ".jeff");
    dev = spawn(process.execPath, [jeffBin, "dev", project, "--port", "0", "--json", "--stack", "dev"], {
      cwd: project,
      env: { ...process.env, JEFF_LOG_FORMAT: "json" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    dev.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    dev.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const deployed = (count: number) => (stdout.match(/"stackName": ?"dev"/g) ?? []).length >= count;
    await until(
      () => deployed(1),
      () => `jeff dev did not deploy:\n${stdout}\n${stderr}`,
    );
    const url = /"url": ?"([^"]+)"/.exec(stdout)![1]!;
    const { stdout: envOut } = await runJeff(["env", "--json", "--data-dir", dataDir]);
    const env = JSON.parse(envOut) as Record<string, string>;
    const lambda = client(url, env.AWS_REGION!, {
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    });
    expect((await invoke(lambda, "dev-greeter", { name: "Ada" })).body.message).toBe("Hello, Ada!");

    const source = join(project, "src/greeting.ts");
    await writeFile(
      source,
      (await readFile(source, "utf8")).replace("${greeting}, ${name}!", "${greeting} there, ${name}."),
    );
    let message: unknown;
    await until(
      async () => {
        message = (await invoke(lambda, "dev-greeter", { name: "Ada" })).body.message;
        return message === "Hello there, Ada.";
      },
      () => `the edit never reached the function (last answer ${String(message)}):\n${stderr}`,
    );
    expect(dev.exitCode).toBeNull();
  }, 90_000);
});

async function until(check: () => boolean | Promise<boolean>, why: () => string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
