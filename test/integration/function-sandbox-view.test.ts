// What a function finds around it, as on Lambda: who it runs as, /opt, and its memory held to
// MemorySize from the moment its module loads, in the sandbox and as a plain process.
import { readFileSync } from "node:fs";
import { type CreateFunctionCommandInput, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import {
  createNodeFunction,
  createPythonFunction,
  decode,
  isSandboxed,
  lambdaClientFor,
} from "./lambda-helpers.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let sandboxed = false;

beforeAll(async () => {
  jeff = await startJeff();
  lambda = lambdaClientFor(jeff);
  sandboxed = await isSandboxed(jeff);
}, 60_000);

afterAll(async () => {
  await jeff?.stop();
});

/** A Python function of `source` (`app.handler`), with a 10 s timeout unless `extra` says. */
function createPython(
  client: LambdaClient,
  accountId: string,
  name: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput> = {},
) {
  return createPythonFunction(client, accountId, name, source, { Timeout: 10, ...extra });
}

async function invoke(client: LambdaClient, name: string) {
  const out = await client.send(new InvokeCommand({ FunctionName: name }));
  return { error: out.FunctionError, body: JSON.parse(decode(out.Payload)) as Record<string, unknown> };
}

describe.runIf(process.platform === "linux")("the sandbox as a function sees it", () => {
  it("runs Python and Node as Lambda's sbx_user1051, which whoami, getpass and os.userInfo name", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    await createPython(
      lambda,
      jeff.accountId,
      "who-py",
      `import getpass, os, pwd, subprocess
from pathlib import Path


def handler(event, context):
    try:
        open("/etc/passwd", "a").write("intruder:x:0:0::/:/bin/sh\\n")
        wrote = "wrote"
    except OSError:
        wrote = "refused"
    return {
        "getuser": getpass.getuser(),
        "whoami": subprocess.getoutput("whoami"),
        "id": subprocess.getoutput("id"),
        "entry": list(pwd.getpwuid(os.getuid()))[:4],
        "users": sorted(p.pw_name for p in pwd.getpwall()),
        "taskOwner": Path("/var/task").owner(),
        "wrote": wrote,
    }
`,
    );
    const py = await invoke(lambda, "who-py");
    expect(py.error).toBeUndefined();
    expect(py.body).toEqual({
      getuser: "sbx_user1051",
      whoami: "sbx_user1051",
      id: "uid=993(sbx_user1051) gid=990 groups=990",
      entry: ["sbx_user1051", "x", 993, 990],
      // Lambda's users, never the host's.
      users: ["nobody", "root", "sbx_user1051"],
      taskOwner: "sbx_user1051",
      wrote: "refused",
    });
    // The host does have users of its own, which the sandbox does not show.
    expect(readFileSync("/etc/passwd", "utf8")).toMatch(/^daemon:|^bin:|^sys:/m);

    await createNodeFunction(
      lambda,
      jeff.accountId,
      "who-node",
      `import { userInfo } from "node:os";
export const handler = async () => {
  const { username, uid, gid } = userInfo();
  return { username, uid, gid };
};`,
    );
    expect(await invoke(lambda, "who-node")).toEqual({
      error: undefined,
      body: { username: "sbx_user1051", uid: 993, gid: 990 },
    });
  });

  it("gives Python and Node the variables Lambda's launch script leaves them, and no TMPDIR", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const pick = ["PWD", "SHLVL", "LC_CTYPE", "TMPDIR"];
    await createPython(
      lambda,
      jeff.accountId,
      "env-py",
      `import os\n\n\ndef handler(event, context):\n    return {k: os.environ.get(k) for k in ${JSON.stringify(pick)}}\n`,
    );
    expect((await invoke(lambda, "env-py")).body).toEqual({
      PWD: "/var/task",
      SHLVL: "0",
      // python3.12 runs on Amazon Linux 2023 there, whose missing locale Python coerces.
      LC_CTYPE: "C.UTF-8",
      TMPDIR: null,
    });
    await createNodeFunction(
      lambda,
      jeff.accountId,
      "env-node",
      `export const handler = async () => Object.fromEntries(${JSON.stringify(pick)}.map((k) => [k, process.env[k] ?? null]));`,
    );
    expect((await invoke(lambda, "env-node")).body).toEqual({
      PWD: "/var/task",
      SHLVL: "0",
      LC_CTYPE: null,
      TMPDIR: null,
    });
  });

  it("has an empty, read-only /opt, where Lambda mounts layers", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    await createPython(
      lambda,
      jeff.accountId,
      "opt",
      `import os, stat


def handler(event, context):
    try:
        open("/opt/planted", "w").write("x")
        wrote = "wrote"
    except OSError:
        wrote = "refused"
    return {
        "mode": stat.filemode(os.stat("/opt").st_mode),
        "entries": os.listdir("/opt"),
        "wrote": wrote,
    }
`,
    );
    expect(await invoke(lambda, "opt")).toEqual({
      error: undefined,
      body: { mode: "drwxr-xr-x", entries: [], wrote: "refused" },
    });
  });
});

/** A module that takes 400 MB as it loads, and would then sit there until the Init limit. */
const hungryModule = `import time

block = bytearray(400 * 1024 * 1024)
time.sleep(60)


def handler(event, context):
    return len(block)
`;

describe("memory while a module loads", () => {
  it("ends a module that allocates past MemorySize at import as Runtime.OutOfMemory, not at the Init limit", async () => {
    await createPython(lambda, jeff.accountId, "hungry-init", hungryModule, { MemorySize: 128, Timeout: 3 });
    const out = await invoke(lambda, "hungry-init");
    expect(out.error).toBe("Unhandled");
    expect(out.body).toMatchObject({
      errorType: "Runtime.OutOfMemory",
      errorMessage: expect.stringMatching(
        /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/,
      ),
    });
    // The next invocation gets a new environment, which the limit ends again; others are untouched.
    expect((await invoke(lambda, "hungry-init")).body).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    await createPython(
      lambda,
      jeff.accountId,
      "modest-init",
      "def handler(event, context):\n    return 'fine'\n",
      {
        MemorySize: 128,
      },
    );
    expect(await invoke(lambda, "modest-init")).toEqual({ error: undefined, body: "fine" });
  }, 60_000);

  it("does the same for a plain process, without the sandbox", async () => {
    const plain = await startJeff({ env: { JEFF_ISOLATION: "process" } });
    try {
      const client = lambdaClientFor(plain);
      await createPython(client, plain.accountId, "hungry-init", hungryModule, {
        MemorySize: 128,
        Timeout: 3,
      });
      const out = await invoke(client, "hungry-init");
      expect(out.error).toBe("Unhandled");
      expect(out.body).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
