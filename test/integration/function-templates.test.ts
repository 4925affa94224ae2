// Functions deployed from a SAM template by `jeff deploy` and `jeff dev`: TypeScript bundled with
// esbuild, Python from a folder, inline code, AWS::Lambda::Function; and the edit-save-invoke loop.
import { type ChildProcess, spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from "@aws-sdk/client-cloudformation";
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { allMigrations } from "../../src/server/server.js";
import { openTestStore, storeEnvFor } from "../stores.js";
import { type JeffProcess, jeffBin, repoRoot, runJeff, startJeff } from "./jeff-process.js";
import { decode, lambdaClientFor } from "./lambda-helpers.js";
import { until } from "./until.js";

const fixture = join(repoRoot, "test/fixtures/projects/functions");

function client(url: string, region: string, credentials: JeffProcess["credentials"]) {
  return lambdaClientFor({ url, region, credentials });
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
    project = await copyProject();
    // The data directory sits inside the project whose folder is a function's code.
    jeff = await startJeff({ dataDir: join(project, "state") });
    lambda = client(jeff.url, jeff.region, jeff.credentials);
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
    expect(fn.Tags).toEqual({ "lambda:createdBy": "SAM" });
    // AutoPublishAlias: version 1 published, the alias on it, and the EventInvokeConfig on the alias.
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: "fns-greeter", Name: "live" }));
    expect(alias.FunctionVersion).toBe("1");
    const viaAlias = await lambda.send(
      new InvokeCommand({ FunctionName: "fns-greeter:live", Payload: new TextEncoder().encode("{}") }),
    );
    expect(viaAlias.ExecutedVersion).toBe("1");
    const config = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: "fns-greeter", Qualifier: "live" }),
    );
    expect(config.MaximumRetryAttempts).toBe(0);
    expect(config.MaximumEventAgeInSeconds).toBe(120);
  });

  it("points a thrown error's stack trace at the TypeScript line", async () => {
    const { error, body } = await invoke(lambda, outputs.FailingName!);
    expect(error).toBe("Unhandled");
    expect(body.errorType).toBe("BadNews");
    expect(body.errorMessage).toBe("this line is in fail.ts");
    // The real file on this machine, the one the developer edits, at the line that threw.
    expect((body.trace as string[]).join("\n")).toContain(`(${join(project, "src/fail.ts")}:6:`);
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

  it("packages a folder as it is, without the data directory inside it", async () => {
    const { body } = await invoke(lambda, outputs.WholeName!);
    expect(body.files).toEqual(["py", "src", "template.yaml"]);
  });

  it("refuses a code path that is not a package, naming it, and creates nothing", async () => {
    const cfn = new CloudFormationClient({
      endpoint: jeff.url,
      region: jeff.region,
      credentials: jeff.credentials,
      maxAttempts: 1,
    });
    const template = {
      Transform: "AWS::Serverless-2016-10-31",
      Resources: {
        Thief: {
          Type: "AWS::Serverless::Function",
          Properties: { CodeUri: jeff.dataDir, Handler: "index.handler", Runtime: "nodejs20.x" },
        },
      },
    };
    await cfn.send(new CreateStackCommand({ StackName: "thief", TemplateBody: JSON.stringify(template) }));
    let status = "";
    let reason = "";
    await until(
      async () => {
        const events = await cfn.send(new DescribeStackEventsCommand({ StackName: "thief" }));
        const failed = events.StackEvents?.find(
          (e) => e.LogicalResourceId === "Thief" && e.ResourceStatus === "CREATE_FAILED",
        );
        reason = failed?.ResourceStatusReason ?? reason;
        const stack = await cfn.send(new DescribeStacksCommand({ StackName: "thief" }));
        status = stack.Stacks?.[0]?.StackStatus ?? "";
        return status.endsWith("_COMPLETE") && !status.endsWith("IN_PROGRESS");
      },
      () => `the stack never settled (${status})`,
    );
    expect(status).toBe("ROLLBACK_COMPLETE");
    expect(reason).toContain(`CodeUri ${jeff.dataDir} is not a package`);
    const left = await lambda.send(new ListFunctionsCommand({}));
    expect(left.Functions?.some((f) => f.FunctionName?.startsWith("thief-"))).toBe(false);
  });

  it("publishes a new version for AutoPublishAlias when SAM would: code, Environment, MemorySize", async () => {
    const file = join(project, "template.yaml");
    const original = await readFile(file, "utf8");
    const deploy = async (text: string) => {
      await writeFile(file, text);
      await runJeff(["deploy", "--stack", "fns", "--data-dir", jeff.dataDir], { cwd: project });
      return (await lambda.send(new GetAliasCommand({ FunctionName: "fns-greeter", Name: "live" })))
        .FunctionVersion;
    };
    try {
      // A timeout alone does not make a version; the alias stays where it was.
      const longer = original.replace("Timeout: 5", "Timeout: 6");
      expect(await deploy(longer)).toBe("1");
      expect(
        (await lambda.send(new GetFunctionCommand({ FunctionName: "fns-greeter" }))).Configuration?.Timeout,
      ).toBe(6);
      // An environment variable does.
      expect(await deploy(longer.replace("GREETING: Hello", "GREETING: Howdy"))).toBe("2");
      expect((await invoke(lambda, "fns-greeter:live", { name: "Ada" })).body.message).toBe("Howdy, Ada!");
    } finally {
      await writeFile(file, original);
      await runJeff(["deploy", "--stack", "fns", "--data-dir", jeff.dataDir], { cwd: project });
    }
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

describe("housekeeping", () => {
  it("removes, on the next start, the packages and code only a deleted stack used", async () => {
    const project = await copyProject();
    const dataDir = await mkdtemp(join(tmpdir(), "jeff-sweep-"));
    let jeff = await startJeff({ dataDir });
    // The packages the store keeps, by hash (hex, as a template's package location names them).
    const storedPackages = async (age?: number) => {
      const store = await openTestStore({ dataDir, migrations: allMigrations });
      try {
        if (age !== undefined)
          await store.run("UPDATE lambda_packages SET stored_at = ?", [Date.now() - age]);
        const rows = await store.all<{ sha256: string }>("SELECT sha256 FROM lambda_packages");
        return rows.map((row) => Buffer.from(row.sha256, "base64").toString("hex")).sort();
      } finally {
        await store.close();
      }
    };
    try {
      const deploy = (stack: string) =>
        runJeff(["deploy", "--stack", stack, "--data-dir", dataDir], { cwd: project });
      await deploy("old");
      const source = join(project, "src/greeting.ts");
      await writeFile(
        source,
        (await readFile(source, "utf8")).replace("${greeting}, ${name}!", "${greeting}; ${name}"),
      );
      await deploy("new");
      await runJeff(["delete", "--stack", "old", "--data-dir", dataDir], { cwd: project });
      const codeDir = join(dataDir, "functions", "code", jeff.accountId);
      const codeBefore = await readdir(codeDir);
      // What the surviving stack names, and the code its functions run.
      const cfn = new CloudFormationClient({
        endpoint: jeff.url,
        region: jeff.region,
        credentials: jeff.credentials,
      });
      const template = (await cfn.send(new GetTemplateCommand({ StackName: "new" }))).TemplateBody ?? "";
      const named = [...new Set(template.match(/[0-9a-f]{64}(?=\.zip)/g) ?? [])].sort();
      const lambda = client(jeff.url, jeff.region, jeff.credentials);
      const running = [
        ...new Set(
          ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) =>
            Buffer.from(f.CodeSha256 ?? "", "base64").toString("hex"),
          ),
        ),
      ].sort();
      expect(codeBefore.length).toBeGreaterThan(running.length);
      // Age everything past the sweep's grace period, then restart.
      await jeff.stop();
      const past = new Date(Date.now() - 3_600_000);
      for (const name of await readdir(codeDir)) await utimes(join(codeDir, name), past, past);
      const packagesBefore = await storedPackages(3_600_000);
      expect(packagesBefore.length).toBeGreaterThan(named.length);
      jeff = await startJeff({ dataDir });
      // Kept: the packages the surviving stack names, and its inline code's.
      const kept = await storedPackages();
      expect(kept).toEqual(expect.arrayContaining(named));
      expect(kept).toEqual(running);
      expect((await readdir(codeDir)).sort()).toEqual(running);
      const after = client(jeff.url, jeff.region, jeff.credentials);
      expect((await invoke(after, "new-greeter", { name: "Ada" })).body.message).toBe("Hello; Ada");
    } finally {
      await jeff.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(project, { recursive: true, force: true });
    }
  }, 90_000);
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

interface DevSession {
  readonly child: ChildProcess;
  readonly lambda: LambdaClient;
  logs(): string;
  /** Resolves once stdout (the deploy reports, as JSON) shows `count` deploys of the stack. */
  deployed(count: number): Promise<void>;
}

/** `jeff dev` on a copy of the fixture project, once its first deploy is done. */
/** `firstDeploy: false` returns as soon as the server is up, whether or not the first deploy worked. */
async function startDev(
  project: string,
  extraArgs: readonly string[] = [],
  firstDeploy = true,
): Promise<DevSession> {
  const { child, stdout, stderr } = spawnDev(project, ["--stack", "dev", "--port", "0", ...extraArgs], {
    JEFF_LOG_FORMAT: "json",
    ...(await storeEnvFor(join(project, ".jeff"))),
  });
  const deployed = (count: number) =>
    until(
      () => (stdout().match(/"stackName": ?"dev"/g) ?? []).length >= count,
      () => `jeff dev did not deploy:\n${stdout()}\n${stderr()}`,
    );
  if (firstDeploy) await deployed(1);
  else
    await until(
      () => /"url": ?"/.test(stdout()),
      () => `jeff dev did not start:\n${stderr()}`,
    );
  const url = /"url": ?"([^"]+)"/.exec(stdout())![1]!;
  const { stdout: envOut } = await runJeff(["env", "--json", "--data-dir", join(project, ".jeff")]);
  const env = JSON.parse(envOut) as Record<string, string>;
  const lambda = client(url, env.AWS_REGION!, {
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
  });
  return { child, lambda, logs: stderr, deployed };
}

/** `jeff dev PROJECT --json ARGS` with `env` added to this process's, its output kept. */
function spawnDev(project: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [jeffBin, "dev", project, "--json", ...args], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function stopDev(session: DevSession | undefined): Promise<void> {
  if (!session || session.child.exitCode !== null) return;
  session.child.kill("SIGTERM");
  await new Promise((resolve) => session.child.once("exit", resolve));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Saves the fixture's greeting with `${greeting}` and `${name}` put into `template` instead of
 * "${greeting}, ${name}!", and waits until the function answers for Ada with `expected`.
 */
async function saveGreeting(
  lambda: LambdaClient,
  project: string,
  template: string,
  expected: string,
  logs: () => string,
): Promise<void> {
  const source = join(project, "src/greeting.ts");
  await writeFile(source, (await readFile(source, "utf8")).replace("${greeting}, ${name}!", template));
  let message: unknown;
  await until(
    async () => {
      message = (await invoke(lambda, "dev-greeter", { name: "Ada" })).body.message;
      return message === expected;
    },
    () => `the save never reached the function (last answer ${String(message)}):\n${logs()}`,
  );
}

describe("jeff dev", () => {
  let session: DevSession | undefined;
  let project: string | undefined;

  afterEach(async () => {
    await stopDev(session);
    session = undefined;
    if (project) await rm(project, { recursive: true, force: true });
  });

  it("runs the new TypeScript on the next invocation after a save, with no restart", async () => {
    project = await copyProject();
    session = await startDev(project);
    const { lambda } = session;
    expect((await invoke(lambda, "dev-greeter", { name: "Ada" })).body.message).toBe("Hello, Ada!");

    await saveGreeting(lambda, project, "${greeting} there, ${name}.", "Hello there, Ada.", () =>
      session!.logs(),
    );
    // AutoPublishAlias published the new code as version 2 and moved the alias to it, in the same
    // deploy but after $LATEST's code changed, so the alias may answer the old version a moment longer.
    let aliased: unknown;
    await until(
      async () => {
        aliased = (await invoke(lambda, "dev-greeter:live", { name: "Ada" })).body.message;
        return aliased === "Hello there, Ada.";
      },
      () => `the alias never reached the new version (last answer ${String(aliased)})`,
    );
    expect(session.child.exitCode).toBeNull();
  }, 90_000);

  it("with --endpoint, serves nothing itself and deploys each save to that Jeff with the user's keys", async () => {
    project = await copyProject();
    const jeff = await startJeff();
    // A user's keys and the endpoint: no data directory of the server's, no store.
    const { child, stdout, stderr } = spawnDev(project, ["--endpoint", jeff.url, "--stack", "dev"], {
      JEFF_STORE: "",
      JEFF_DATA_DIR: join(project, "cli-has-none"),
      AWS_ACCESS_KEY_ID: jeff.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: jeff.credentials.secretAccessKey,
      AWS_REGION: jeff.region,
    });
    try {
      await until(
        () => /"stackName": ?"dev"/.test(stdout()),
        () => `jeff dev --endpoint did not deploy:\n${stdout()}\n${stderr()}`,
      );
      expect(stdout()).not.toMatch(/"url": ?"/);
      const lambda = client(jeff.url, jeff.region, jeff.credentials);
      expect((await invoke(lambda, "dev-greeter", { name: "Ada" })).body.message).toBe("Hello, Ada!");
      await saveGreeting(
        lambda,
        project!,
        "${greeting} from afar, ${name}.",
        "Hello from afar, Ada.",
        stderr,
      );
    } finally {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
      await jeff.stop();
    }
  }, 120_000);

  it("sees twenty atomic saves in a row, as editors write them: aside, then renamed over", async () => {
    project = await copyProject();
    session = await startDev(project);
    const { lambda } = session;
    const source = join(project, "src/greeting.ts");
    const original = await readFile(source, "utf8");
    for (let save = 1; save <= 20; save++) {
      const aside = join(project, "src", `.greeting.ts.${save}.tmp`);
      await writeFile(
        aside,
        original.replace("${greeting}, ${name}!", `\${greeting}, \${name}, save ${save}`),
      );
      await rename(aside, source);
      let message: unknown;
      await until(
        async () => {
          message = (await invoke(lambda, "dev-greeter", { name: "Ada" })).body.message;
          return message === `Hello, Ada, save ${save}`;
        },
        () => `save ${save} never reached the function (last answer ${String(message)}):\n${session?.logs()}`,
      );
    }
    expect(session.child.exitCode).toBeNull();
  }, 300_000);

  it("keeps watching the code after a build fails, and deploys once it is fixed", async () => {
    project = await copyProject();
    const source = join(project, "src/greeting.ts");
    const good = await readFile(source, "utf8");
    await writeFile(source, `${good}\nexport const broken = ;\n`);
    session = await startDev(project, [], false);
    await until(
      () => /esbuild failed/.test(session!.logs()),
      () => `the failed build was not reported:\n${session?.logs()}`,
    );
    await writeFile(source, good.replace("${greeting}, ${name}!", "${greeting}, ${name}, fixed."));
    await session.deployed(1);
    expect((await invoke(session.lambda, "dev-greeter", { name: "Ada" })).body.message).toBe(
      "Hello, Ada, fixed.",
    );
  }, 90_000);

  it("opens a debugger port on the inspected function's environment, and only on it", async () => {
    project = await copyProject();
    const port = await freePort();
    session = await startDev(project, ["--inspect", "dev-greeter", "--inspect-port", String(port)]);
    const first = await session.lambda.send(
      new InvokeCommand({
        FunctionName: "dev-greeter",
        Payload: new TextEncoder().encode('{"name":"Bo"}'),
        LogType: "Tail",
      }),
    );
    expect(JSON.parse(decode(first.Payload))).toMatchObject({ message: "Hello, Bo!" });
    expect(Buffer.from(first.LogResult!, "base64").toString()).toContain(
      `Debugger listening on ws://127.0.0.1:${port}/`,
    );
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl?: string;
    }>;
    expect(targets[0]?.webSocketDebuggerUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${port}/`));
    // Another function is not inspected: no second port opens for it.
    const listed = await session.lambda.send(new ListFunctionsCommand({}));
    const inline = listed.Functions?.find((f) => f.FunctionName?.startsWith("dev-Inline-"))?.FunctionName;
    const other = await session.lambda.send(
      new InvokeCommand({
        FunctionName: inline!,
        Payload: new TextEncoder().encode('{"a":1}'),
        LogType: "Tail",
      }),
    );
    expect(JSON.parse(decode(other.Payload))).toEqual({ inline: true, echo: { a: 1 } });
    expect(Buffer.from(other.LogResult!, "base64").toString()).not.toContain("Debugger listening");
  }, 90_000);
});
