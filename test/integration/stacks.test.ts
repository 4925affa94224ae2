// Templates applied as stacks through the real CLI (`jeff deploy`, `jeff delete`, `jeff dev`) and
// read back through the real AWS CLI and SDK.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeEnvFor } from "../stores.js";
import { aws, type JeffProcess, jeffBin, repoRoot, runJeff, startJeff } from "./jeff-process.js";
import { until } from "./until.js";

function template(resources: string, extra = ""): string {
  return `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
${extra}
Resources:
${resources}
Outputs:
  GreetingName:
    Value: !Ref Greeting
  GreetingValue:
    Value: !GetAtt Greeting.Value
`;
}

const greeting = (value: string, name = "/demo/greeting") => `  Greeting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: ${name}
      Type: String
      Value: !Sub "${value} (\${Stage})"
`;

/** A resource that always fails to create: SSM refuses values over 4096 characters. */
const failing = `  Broken:
    Type: AWS::SSM::Parameter
    DependsOn: Greeting
    Properties:
      Type: String
      Value: "${"x".repeat(5000)}"
`;

async function deploy(project: string, args: string[] = []) {
  try {
    const { stdout, stderr } = await runJeff(["deploy", "--stack", "demo", ...args], { cwd: project });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let jeff: JeffProcess;
let project: string;
let ssm: SSMClient;

async function parameterValue(name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if ((error as Error).name === "ParameterNotFound") return undefined;
    throw error;
  }
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "jeff-project-"));
  jeff = await startJeff({ dataDir: join(project, ".jeff") });
  ssm = new SSMClient({ endpoint: jeff.url, region: jeff.region, credentials: jeff.credentials });
});

afterAll(async () => {
  await jeff?.stop();
  await rm(project, { recursive: true, force: true });
});

describe("jeff deploy", () => {
  it("creates a stack and its resources", async () => {
    await writeFile(join(project, "template.yaml"), template(greeting("hello")));
    const result = await deploy(project);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("CREATE_COMPLETE");
    expect(result.stdout).toContain("GreetingValue = hello (dev)");
    expect(await parameterValue("/demo/greeting")).toBe("hello (dev)");

    const cli = await aws(
      ["cloudformation", "describe-stacks", "--stack-name", "demo", "--output", "json"],
      jeff.awsEnv(),
    );
    const stack = (
      JSON.parse(cli.stdout) as {
        Stacks: Array<{ StackStatus: string; Outputs: Array<{ OutputKey: string; OutputValue: string }> }>;
      }
    ).Stacks[0]!;
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack.Outputs).toContainEqual({ OutputKey: "GreetingName", OutputValue: "/demo/greeting" });
  });

  it("reports no changes when nothing changed", async () => {
    const result = await deploy(project);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no changes");
  });

  it("updates a changed resource in place, and takes parameter overrides", async () => {
    await writeFile(join(project, "template.yaml"), template(greeting("hi")));
    const result = await deploy(project, ["--parameter-overrides", "Stage=prod"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("UPDATE_COMPLETE");
    expect(await parameterValue("/demo/greeting")).toBe("hi (prod)");
  });

  it("refuses a parameter value outside AllowedValues, naming the parameter, and changes nothing", async () => {
    const result = await deploy(project, ["--parameter-overrides", "Stage=qa"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Stage");
    expect(await parameterValue("/demo/greeting")).toBe("hi (prod)");
  });

  it("rolls back every change of an update when a resource fails", async () => {
    await writeFile(join(project, "template.yaml"), template(greeting("changed") + failing));
    const result = await deploy(project, ["--parameter-overrides", "Stage=prod"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("UPDATE_ROLLBACK_COMPLETE");
    expect(result.stderr).toContain("CREATE_FAILED");
    expect(await parameterValue("/demo/greeting")).toBe("hi (prod)");
    const events = await aws(
      ["cloudformation", "describe-stack-events", "--stack-name", "demo", "--output", "json"],
      jeff.awsEnv(),
    );
    const statuses = (
      JSON.parse(events.stdout) as {
        StackEvents: Array<{ LogicalResourceId: string; ResourceStatus: string }>;
      }
    ).StackEvents;
    expect(statuses.find((e) => e.LogicalResourceId === "Broken")?.ResourceStatus).toBe("DELETE_COMPLETE");
  });

  it("replaces a resource whose name changed and removes the old one", async () => {
    await writeFile(join(project, "template.yaml"), template(greeting("moved", "/demo/renamed")));
    const result = await deploy(project, ["--parameter-overrides", "Stage=prod"]);
    expect(result.code).toBe(0);
    expect(await parameterValue("/demo/renamed")).toBe("moved (prod)");
    expect(await parameterValue("/demo/greeting")).toBeUndefined();
  });

  it("deletes the stack and everything it created", async () => {
    const { stdout } = await runJeff(["delete", "--stack", "demo"], { cwd: project });
    expect(stdout).toContain("DELETE_COMPLETE");
    expect(await parameterValue("/demo/renamed")).toBeUndefined();
    const cli = await aws(["cloudformation", "describe-stacks", "--stack-name", "demo"], jeff.awsEnv());
    expect(cli.stderr).toContain("(ValidationError)");
    expect(cli.stderr).toContain("does not exist");
  });

  it("rolls back a failed create, and the next deploy starts again", async () => {
    await writeFile(join(project, "template.yaml"), template(greeting("first") + failing));
    const failed = await deploy(project);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain("ROLLBACK_COMPLETE");
    expect(await parameterValue("/demo/greeting")).toBeUndefined();

    await writeFile(join(project, "template.yaml"), template(greeting("second")));
    const fixed = await deploy(project);
    expect(fixed.code).toBe(0);
    expect(await parameterValue("/demo/greeting")).toBe("second (dev)");
    // It shows the failed attempt going and the new one coming, not the failure over again.
    const shown = fixed.stdout + fixed.stderr;
    expect(shown).toContain("never finished its first create");
    expect(shown).toContain("DELETE_COMPLETE");
    expect(shown).not.toContain("CREATE_FAILED");
    expect(shown).not.toContain("ROLLBACK_IN_PROGRESS");
  });

  it("refuses an invalid template before sending anything, naming the logical id and path", async () => {
    await writeFile(
      join(project, "bad.yaml"),
      template(`${greeting("x")}  Queue:\n    Type: AWS::SQS::Nope\n`),
    );
    const result = await deploy(project, ["--template", "bad.yaml"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("[Queue]");
    expect(result.stderr).toContain("AWS::SQS::Nope");
    expect(await parameterValue("/demo/greeting")).toBe("second (dev)");
  });
});

describe("the CloudFormation API", () => {
  it("refuses a function the Lambda API would refuse, listing every problem, and creates nothing", async () => {
    const body = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: refused-fn
      Runtime: cobol85
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: { ZipFile: "exports.handler = async () => 1" }
      Timeout: 901
      MemorySize: 64
`;
    const created = await aws(
      ["cloudformation", "create-stack", "--stack-name", "refused", "--template-body", body],
      jeff.awsEnv(),
    );
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain("(ValidationError)");
    for (const problem of ["'cobol85' at 'runtime'", "'64' at 'memorySize'", "'901' at 'timeout'"]) {
      expect(created.stderr).toContain(problem);
    }
    const described = await aws(
      ["cloudformation", "describe-stacks", "--stack-name", "refused"],
      jeff.awsEnv(),
    );
    expect(described.stderr).toContain("does not exist");
  });

  it("never shows a NoEcho parameter's value, and turns scalar property values into strings", async () => {
    const body = `Parameters:
  Secret: { Type: String, NoEcho: true }
Resources:
  Numeric:
    Type: AWS::SSM::Parameter
    Properties: { Name: /noecho/numeric, Type: String, Value: 17 }
Outputs:
  Value: { Value: !GetAtt Numeric.Value }
`;
    const created = await aws(
      [
        "cloudformation",
        "create-stack",
        "--stack-name",
        "noecho",
        "--template-body",
        body,
        "--parameters",
        "ParameterKey=Secret,ParameterValue=hunter2",
      ],
      jeff.awsEnv(),
    );
    expect(created.stderr).toBe("");
    let described = "";
    await until(
      async () => {
        described = (
          await aws(
            ["cloudformation", "describe-stacks", "--stack-name", "noecho", "--output", "json"],
            jeff.awsEnv(),
          )
        ).stdout;
        return described.includes("CREATE_COMPLETE");
      },
      () => `the noecho stack to be created: ${described}`,
      180_000,
    );
    const stack = (JSON.parse(described) as { Stacks: Array<{ Parameters: unknown[]; Outputs: unknown[] }> })
      .Stacks[0]!;
    expect(stack.Parameters).toEqual([{ ParameterKey: "Secret", ParameterValue: "****" }]);
    expect(described).not.toContain("hunter2");
    expect(stack.Outputs).toEqual([{ OutputKey: "Value", OutputValue: "17" }]);
    expect(await parameterValue("/noecho/numeric")).toBe("17");
  });

  it("answers a template nested too deeply with ValidationError, not a failure", async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    const result = await aws(
      [
        "cloudformation",
        "validate-template",
        "--template-body",
        `{"Resources":{"P":{"Type":"AWS::SSM::Parameter","Properties":{"Type":"String","Value":"v","Description":${deep}}}}}`,
      ],
      jeff.awsEnv(),
    );
    expect(result.stderr).toContain("(ValidationError)");
  });

  it("answers ValidateTemplate through the AWS CLI with the template's parameters or its errors", async () => {
    const ok = await aws(
      ["cloudformation", "validate-template", "--template-body", template(greeting("v")), "--output", "json"],
      jeff.awsEnv(),
    );
    expect(JSON.parse(ok.stdout)).toMatchObject({
      Parameters: [{ ParameterKey: "Stage", DefaultValue: "dev" }],
    });
    const bad = await aws(
      ["cloudformation", "validate-template", "--template-body", "Resources: {}"],
      jeff.awsEnv(),
    );
    expect(bad.stderr).toContain("(ValidationError)");
  });
});

/** A command run as a user would, its output (both streams) gathered; stopped with Ctrl-C. */
function watched(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const gather = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout.on("data", gather);
  child.stderr.on("data", gather);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    output: () => output,
    waitFor: (pattern: RegExp) =>
      until(
        () => pattern.test(output),
        () => `timed out waiting for ${pattern}: ${output}`,
        100_000,
      ),
    /** Its exit code, once it has ended by itself. */
    exited: () => exited,
    /** Ctrl-C, and the exit code once it has ended. */
    stop: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

describe("jeff dev", () => {
  it("deploys the project and redeploys when the template changes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jeff-dev-"));
    await runJeff(["init", dir]);
    const dev = watched(process.execPath, [jeffBin, "dev", dir, "--port", "0", "--stack", "devstack"], {
      env: { ...process.env, ...(await storeEnvFor(join(dir, ".jeff"))) },
    });
    try {
      await dev.waitFor(/GreetingValue = Hello from Jeff/);
      const file = join(dir, "template.yaml");
      await writeFile(file, (await readFile(file, "utf8")).replace('"Hello from Jeff"', '"Hello again"'));
      await dev.waitFor(/GreetingValue = Hello again/);
      expect(dev.output()).toContain("UPDATE_COMPLETE");
    } finally {
      expect(await dev.stop()).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs every command the starter's README prints, pasted as they are", async () => {
    const root = await mkdtemp(join(tmpdir(), "jeff-paste-"));
    const dir = join(root, "paste-me");
    await runJeff(["init", dir]);
    // `jeff` and `aws` as a user's PATH has them.
    const bin = join(root, "bin");
    await mkdir(bin);
    await writeFile(join(bin, "jeff"), `#!/bin/sh\nexec "${process.execPath}" "${jeffBin}" "$@"\n`, {
      mode: 0o755,
    });
    await symlink("/usr/bin/aws", join(bin, "aws"));
    const env = {
      ...process.env,
      ...(await storeEnvFor(join(dir, ".jeff"))),
      PATH: `${bin}:${process.env.PATH}`,
      HOME: root,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const readme = await readFile(join(dir, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks[0]).toContain("jeff dev");
    // exec: the shell becomes `jeff dev`, so Ctrl-C (SIGINT) reaches it as in a terminal.
    const dev = watched("sh", ["-c", `exec ${blocks[0]!.replace(/#.*$/gm, "").trim()}`], {
      cwd: dir,
      env: { ...env, JEFF_PORT: "0" },
    });
    try {
      await dev.waitFor(/HelloFunction = /);
      // Without TypeScript in the project, one note says how to turn type checks on.
      expect(dev.output()).toContain("Type checks are off");
      const pasted = watched("bash", ["-e", "-o", "pipefail", "-c", blocks[1]!], { cwd: dir, env });
      expect(await pasted.exited(), pasted.output()).toBe(0);
      expect(pasted.output()).toContain("Hello from Jeff, Ada!");
      expect(pasted.output()).toContain('"StackName": "paste-me"');
      expect(pasted.output()).toContain('"Name": "/paste-me/dev/greeting"');
    } finally {
      await dev.stop();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("prints type errors after a deploy without holding it back, and says when they are gone", async () => {
    const root = await mkdtemp(join(tmpdir(), "jeff-types-"));
    const dir = join(root, "typed");
    await runJeff(["init", dir]);
    // The project's own TypeScript and Node types (Jeff's, lent for the test).
    await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"));
    const source = join(dir, "src/hello.ts");
    const good = await readFile(source, "utf8");
    await writeFile(source, `${good}\nexport const wrong: number = "not a number";\n`);
    const dev = watched(process.execPath, [jeffBin, "dev", dir, "--port", "0"], {
      env: { ...process.env, ...(await storeEnvFor(join(dir, ".jeff"))) },
    });
    try {
      await dev.waitFor(/error TS2322/);
      // The deploy went ahead all the same.
      expect(dev.output()).toContain("CREATE_COMPLETE");
      expect(dev.output()).toMatch(/src\/hello\.ts\(\d+,\d+\): error TS2322/);
      await writeFile(source, good);
      await dev.waitFor(/Type check: no errors now/);
    } finally {
      await dev.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
