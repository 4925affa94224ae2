// Pooled slots (`--warm-pool N`, JEFF_FUNCTION_POOL): sandboxed runtimes started before any
// function is theirs. A new function's first invocation is served by one (the metrics say so:
// tests never time anything); the function sees the variables and context it would have seen
// without the pool; the pool starts a replacement; a hostile function in a slot reads neither
// another function's code nor another slot's folder, assigned or not; and stopping Jeff ends
// every slot.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip, file, link } from "../fixtures/zip-builder.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import {
  childrenOf,
  decode,
  failure,
  isSandboxed,
  lambdaClientFor,
  shellBootstrap,
  text,
} from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let sandboxed = false;

beforeAll(async () => {
  jeff = await startJeff({ env: { JEFF_FUNCTION_POOL: "1" } });
  lambda = lambdaClientFor(jeff);
  sandboxed = await isSandboxed(jeff);
}, 60_000);

afterAll(async () => {
  await jeff?.stop();
});

/** The sum of Jeff's Prometheus series `name` with each of `labels` in its label set. */
async function metric(name: string, ...labels: string[]): Promise<number> {
  const body = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
  let total = 0;
  for (const line of body.split("\n")) {
    if (!(line.startsWith(`${name} `) || line.startsWith(`${name}{`))) continue;
    if (!labels.every((label) => line.includes(label))) continue;
    total += Number(line.split(" ").at(-1));
  }
  return total;
}

const fromPool = () => metric("jeff_function_environments_from_pool_total");
/** Slots of `runtime` (128 MB unless `memory` says, a 512 MB /tmp) standing by. */
const readySlots = (runtime: string, memory = 128) =>
  metric(
    "jeff_function_pool_slots",
    `runtime="${runtime}"`,
    `memory="${memory}"`,
    'tmp="512"',
    'state="ready"',
  );

interface Runtime {
  readonly runtime: "nodejs20.x" | "python3.12";
  readonly file: string;
  /** Answers its environment variables and the context's fields. */
  readonly reporter: string;
  /** Runs `event.code` with the event as `event` and answers its `result`. */
  readonly attacker: string;
}

const node: Runtime = {
  runtime: "nodejs20.x",
  file: "index.mjs",
  reporter: `export const handler = async (event, context) => ({
  env: Object.entries(process.env),
  argv: process.argv,
  context: { functionName: context.functionName, functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName,
    logStreamName: context.logStreamName, invokedFunctionArn: context.invokedFunctionArn },
});`,
  attacker: `import * as fs from "node:fs";
export const handler = async (event) => {
  const result = await new Function("fs", "event", "return (async () => {" + event.code + "})()")(fs, event);
  return result;
};`,
};

const python: Runtime = {
  runtime: "python3.12",
  file: "index.py",
  reporter: `import os, sys
def handler(event, context):
    return {
        "env": list(map(list, os.environ.items())),
        "argv": sys.argv,
        "context": {"functionName": context.function_name, "functionVersion": context.function_version,
            "memoryLimitInMB": context.memory_limit_in_mb, "logGroupName": context.log_group_name,
            "logStreamName": context.log_stream_name, "invokedFunctionArn": context.invoked_function_arn},
        "environ": open("/proc/self/environ", "rb").read().decode().split("\\0"),
    }
`,
  attacker: `
def handler(event, context):
    scope = {"event": event}
    exec(event["code"], scope)
    return scope.get("result")
`,
};

async function create(
  name: string,
  runtime: Runtime,
  files: Record<string, string>,
  variables = {},
  extra: Partial<ConstructorParameters<typeof CreateFunctionCommand>[0]> = {},
) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime.runtime,
      Handler: "index.handler",
      Role: `arn:aws:iam::${jeff.accountId}:role/pool-test`,
      Code: { ZipFile: zipSync(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, text(t)]))) },
      Timeout: 30,
      Environment: { Variables: variables },
      ...extra,
    }),
  );
}

async function invoke(name: string, event: unknown = {}) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: text(JSON.stringify(event)), LogType: "Tail" }),
  );
  expect(out.FunctionError, decode(out.Payload)).toBeUndefined();
  return {
    body: JSON.parse(decode(out.Payload)) as unknown,
    log: Buffer.from(out.LogResult ?? "", "base64").toString(),
  };
}

interface Report {
  env: [string, string][];
  argv: string[];
  context: Record<string, string>;
  environ?: string[];
}

/** What differs between two environments of two functions whatever starts them. */
const perEnvironment = new Set([
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_LAMBDA_RUNTIME_API",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "LABEL",
]);

describe.each([
  ["Node", node],
  ["Python", python],
])("a pooled slot (%s)", (_language, runtime) => {
  const prefix = runtime.runtime.replace(/\W/g, "");

  it("serves a new function's first invocation, which sees what it would have seen without the pool, and is replaced", async (ctx) => {
    if (!sandboxed) ctx.skip();
    // The kind's first cold start has no slot to take: a process of its own, as without the pool.
    await create(`${prefix}-plain`, runtime, { [runtime.file]: runtime.reporter }, { LABEL: "plain" });
    const before = await fromPool();
    const plain = (await invoke(`${prefix}-plain`)).body as Report;
    expect(await fromPool()).toBe(before);
    // It also asked for a slot of its kind.
    await until(async () => (await readySlots(runtime.runtime)) >= 1, "a pooled slot standing by");

    await create(`${prefix}-pooled`, runtime, { [runtime.file]: runtime.reporter }, { LABEL: "pooled" });
    const first = await invoke(`${prefix}-pooled`);
    expect(await fromPool()).toBe(before + 1);
    // A cold start as Lambda reports it: an Init Duration (the code's load) in the REPORT line.
    expect(first.log).toMatch(/REPORT RequestId: .*\tInit Duration: [\d.]+ ms/);
    const pooled = first.body as Report;

    // The same variables in the same order, the same values but for what is each environment's own.
    expect(pooled.env.map(([name]) => name)).toEqual(plain.env.map(([name]) => name));
    for (const [name, value] of pooled.env) {
      if (!perEnvironment.has(name)) expect([name, value]).toEqual(plain.env.find(([n]) => n === name));
    }
    expect(pooled.argv).toEqual(plain.argv);
    const env = Object.fromEntries(pooled.env);
    expect(env.LABEL).toBe("pooled");
    expect(env.AWS_LAMBDA_FUNCTION_NAME).toBe(`${prefix}-pooled`);
    expect(env.AWS_LAMBDA_LOG_GROUP_NAME).toBe(`/aws/lambda/${prefix}-pooled`);
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    expect(env.AWS_ACCESS_KEY_ID).not.toBe(Object.fromEntries(plain.env).AWS_ACCESS_KEY_ID);
    expect(pooled.context).toEqual({
      functionName: `${prefix}-pooled`,
      functionVersion: "$LATEST",
      memoryLimitInMB: "128",
      logGroupName: `/aws/lambda/${prefix}-pooled`,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      invokedFunctionArn: `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:${prefix}-pooled`,
    });
    expect(pooled.context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    // The one difference: the process's own start-up block, which only Python here can read,
    // holds what the slot started with, none of it the function's.
    if (pooled.environ) {
      expect(pooled.environ.join("\n")).not.toContain("LABEL=");
      expect(pooled.environ.join("\n")).not.toContain("AWS_SECRET_ACCESS_KEY=");
    }

    // Taken, the slot is replaced; and it is that function's for good: its next invocation is warm
    // in the same environment, which takes no slot.
    await until(async () => (await readySlots(runtime.runtime)) >= 1, "the pool refilled");
    const again = await invoke(`${prefix}-pooled`);
    expect(again.log).not.toContain("Init Duration");
    expect(((again.body as Report).context as Record<string, string>).logStreamName).toBe(
      pooled.context.logStreamName,
    );
    expect(await fromPool()).toBe(before + 1);

    // A slot is only given to a function whose sandbox would have been the same: another memory
    // size (the cgroup's limit), another /tmp, or a variable read at a process's start starts its own.
    await until(async () => (await readySlots(runtime.runtime)) >= 1, "the pool refilled");
    const files = { [runtime.file]: runtime.reporter };
    await create(`${prefix}-bigger`, runtime, files, {}, { MemorySize: 256 });
    await create(`${prefix}-tmp`, runtime, files, {}, { EphemeralStorage: { Size: 1024 } });
    await create(`${prefix}-startup`, runtime, files, {
      [runtime === node ? "NODE_OPTIONS" : "PYTHONWARNINGS"]: "",
    });
    for (const other of ["bigger", "tmp", "startup"]) await invoke(`${prefix}-${other}`);
    expect(await fromPool()).toBe(before + 1);
    expect(await readySlots(runtime.runtime)).toBeGreaterThanOrEqual(1);
  });

  it("keeps a hostile pooled function away from another function's code and every other slot's folder", async (ctx) => {
    if (!sandboxed) ctx.skip();
    const secret = randomBytes(16).toString("hex");
    await create(`${prefix}-victim`, runtime, {
      [runtime.file]: runtime.reporter,
      "secret.txt": secret,
    });
    await invoke(`${prefix}-victim`);
    await until(async () => (await readySlots(runtime.runtime)) >= 1, "a pooled slot standing by");
    // Every slot's folder on the host, assigned (the victim's among them) or standing by empty,
    // and every unpacked code folder.
    const environments = join(jeff.dataDir, "functions", "environments");
    /** Each slot folder with its files, read once (an environment may end meanwhile). */
    const slotFolders = () =>
      readdirSync(environments).flatMap((id) => {
        const folder = join(environments, id, "task");
        try {
          return [{ folder, files: readdirSync(folder).sort() }];
        } catch {
          return [];
        }
      });
    const listed = slotFolders();
    const before = listed.map(({ folder }) => folder);
    const holdsSecret = (folder: string) => {
      try {
        return readFileSync(join(folder, "secret.txt"), "utf8") === secret;
      } catch {
        return false;
      }
    };
    const victimsFolder = before.find(holdsSecret);
    const standing = listed.filter(({ files }) => files.length === 0);
    expect(standing.length).toBeGreaterThanOrEqual(1);
    const codeRoot = join(jeff.dataDir, "functions", "code", jeff.accountId);
    const codeFolders = readdirSync(codeRoot).map((sha) => join(codeRoot, sha));
    const victimsCode = codeFolders.find(holdsSecret);
    expect(victimsCode).toBeDefined();
    const paths = [...new Set([...before, ...codeFolders, ...(victimsFolder ? [victimsFolder] : [])])];

    const attack =
      runtime === python
        ? `
import os
found = []
own = os.listdir("/var/task")
def attempt(what, f):
    try:
        found.append([what, str(f())])
    except Exception:
        pass
for folder in event["paths"]:
    attempt(folder, lambda: os.listdir(folder))
    attempt(folder + "/secret.txt", lambda: open(folder + "/secret.txt").read())
for pid in os.listdir("/proc"):
    if pid.isdigit():
        # Its own processes (the namespace's init and itself) show its own folder there.
        attempt("/proc/" + pid, lambda: [n for n in os.listdir("/proc/" + pid + "/root/var/task") if n not in own] or 1 / 0)
        attempt("/proc/" + pid + "/secret", lambda: open("/proc/" + pid + "/root/var/task/secret.txt").read())
attempt("/", lambda: [name for name in os.listdir("/") if os.path.exists("/" + name + "/secret.txt")] or 1 / 0)
for top in ["/var", "/tmp", "/run", "/dev", "/mnt", "/home", "/srv", "/opt", "/etc"]:
    for root, dirs, files in os.walk(top):
        if "secret.txt" in files:
            attempt(root + "/secret.txt", lambda: open(root + "/secret.txt").read())
def write():
    open("/var/task/planted", "w").write("x")
    return "written"
attempt("write", write)
result = {"found": found, "task": sorted(os.listdir("/var/task"))}
`
        : `
const found = [];
const attempt = (what, f) => { try { found.push([what, String(f())]); } catch {} };
for (const folder of event.paths) {
  attempt(folder, () => fs.readdirSync(folder));
  attempt(folder + "/secret.txt", () => fs.readFileSync(folder + "/secret.txt", "utf8"));
}
attempt("/proc", () => fs.readdirSync("/proc"));
attempt("/proc/1/root", () => fs.readFileSync("/proc/1/root/var/task/secret.txt", "utf8"));
attempt("write", () => { fs.writeFileSync("/var/task/planted", "x"); return "written"; });
return { found, task: fs.readdirSync("/var/task").sort() };
`;
    await create(`${prefix}-attacker`, runtime, { [runtime.file]: runtime.attacker });
    const taken = await fromPool();
    for (const round of ["first invocation, just assigned", "warm, long assigned"]) {
      const { body } = await invoke(`${prefix}-attacker`, { code: attack, paths });
      const { found, task } = body as { found: [string, string][]; task: string[] };
      // Its own folder holds its own code and nothing else: no other function's, ever.
      expect(task, round).toEqual([runtime.file]);
      expect(found, round).toEqual([]);
      expect(JSON.stringify(body), round).not.toContain(secret);
    }
    // Served by a slot, so the attack ran where the pool's slots run.
    expect(await fromPool()).toBe(taken + 1);
    // From outside: the slots standing by are still empty, and the victim's code is untouched.
    await until(async () => (await readySlots(runtime.runtime)) >= 1, "the pool refilled");
    // Each slot folder is empty (standing by) or holds one function's code, never two's.
    const oneFunctions = [[], ...[node.file, python.file].flatMap((file) => [[file], [file, "secret.txt"]])];
    for (const { folder, files } of slotFolders()) expect(oneFunctions, folder).toContainEqual(files);
    expect(readFileSync(join(victimsCode!, "secret.txt"), "utf8")).toBe(secret);
  });
});

describe("hostile packages and bootstraps beside the pool", () => {
  /** A Python slot standing by: a cold start of the kind (which wants it) first, if none does. */
  const pythonSlot = async () => {
    if ((await readySlots(python.runtime)) === 0) {
      const name = `wanter-${randomBytes(4).toString("hex")}`;
      await create(name, python, { [python.file]: python.reporter });
      await invoke(name);
    }
    await until(async () => (await readySlots(python.runtime)) >= 1, "a pooled slot standing by");
  };
  const createZip = (name: string, runtime: string, zip: Uint8Array, handler = "index.handler") =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: runtime as "python3.12",
        Handler: handler,
        Role: `arn:aws:iam::${jeff.accountId}:role/pool-test`,
        Code: { ZipFile: zip },
        Timeout: 30,
      }),
    );

  it("fills a slot with a package's own links, read-only, and refuses one whose link leaves it", async (ctx) => {
    if (!sandboxed) ctx.skip();
    const escaping = buildZip([file("index.py", python.attacker), link("up", "../../../..")]);
    const refused = await failure(createZip("links-escape", "python3.12", escaping));
    expect(refused.name).toBe("InvalidParameterValueException");
    expect(refused.message).toContain("symbolic link that points outside it");

    // Slots of a kind stand by once a function of that kind has started: here, whatever ran before.
    await create("links-kind", python, { [python.file]: python.attacker });
    await invoke("links-kind", { code: "result = 1" });
    await until(async () => (await readySlots(python.runtime)) >= 1, "a pooled slot standing by");
    const before = await fromPool();
    const zip = buildZip([
      file("index.py", python.attacker),
      file("real.txt", "mine"),
      link("alias.txt", "real.txt"),
    ]);
    await createZip("links-pooled", "python3.12", zip);
    const { body } = await invoke("links-pooled", {
      code: `import os
out = {"link": os.readlink("/var/task/alias.txt"), "read": open("/var/task/alias.txt").read(),
       "real": os.path.realpath("/var/task/alias.txt")}
for path, how in (("/var/task/alias.txt", "a"), ("/var/task/planted.txt", "w")):
    try:
        open(path, how).write("x")
        out[path] = "wrote"
    except OSError as error:
        out[path] = error.strerror
try:
    os.symlink("/", "/var/task/root")
    out["symlink"] = "made"
except OSError as error:
    out["symlink"] = error.strerror
result = out
`,
    });
    expect(await fromPool()).toBe(before + 1);
    expect(body).toEqual({
      link: "real.txt",
      read: "mine",
      real: "/var/task/real.txt",
      "/var/task/alias.txt": "Read-only file system",
      "/var/task/planted.txt": "Read-only file system",
      symlink: "Read-only file system",
    });
  });

  it("gives a bootstrap of the function's own no slot, and it sees none of the slots' processes", async (ctx) => {
    if (!sandboxed) ctx.skip();
    await pythonSlot();
    const before = await fromPool();
    const zip = buildZip([file("bootstrap", shellBootstrap, 0o100755)]);
    await createZip("shell-beside-slots", "provided.al2023", zip, "unused");
    const { body } = await invoke(
      "shell-beside-slots",
      "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; echo; ls /var/task",
    );
    expect(await fromPool()).toBe(before);
    // It reads its own processes' command lines (its shell), and no slot's runtime among them.
    expect(body).toContain("/var/task/bootstrap");
    expect(body).not.toContain("await-config");
    expect(body).not.toContain("bootstrap.py");
    expect(String(body).trim().split("\n").at(-1)).toBe("bootstrap");
  });
});

describe("many kinds", () => {
  it("keeps slots for the four kinds most recently wanted, whatever sizes functions choose", async (ctx) => {
    if (!sandboxed) ctx.skip();
    const slotsOf = (memory: number) => metric("jeff_function_pool_slots", `memory="${memory}"`);
    const sizes = [160, 192, 224, 288, 320];
    for (const memory of sizes) {
      await create(`kinds-${memory}`, node, { [node.file]: node.reporter }, {}, { MemorySize: memory });
      await invoke(`kinds-${memory}`);
    }
    // The last kind's first cold start asked for its slot, as every kind's does.
    await until(async () => (await readySlots(node.runtime, 320)) >= 1, "a 320 MB slot standing by");
    // Five kinds were wanted one after another; the least recently wanted one keeps none.
    expect(await slotsOf(160)).toBe(0);
    const body = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
    const kinds = new Set(
      body
        .split("\n")
        .filter((line) => line.startsWith("jeff_function_pool_slots{"))
        .map((line) => line.slice(0, line.indexOf("state="))),
    );
    expect(kinds.size).toBeLessThanOrEqual(4);
    // A Python function of 128 MB wants its kind again (the stop test below takes its slot).
    await create("kinds-python", python, { [python.file]: python.reporter });
    await invoke("kinds-python");
  });
});

describe("starting Jeff", () => {
  it("removes the environment folders a Jeff that did not end cleanly left in its data directory", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "jeff-stale-"));
    await chmod(dataDir, 0o700);
    const stale = join(dataDir, "functions", "environments", "0123456789abcdef");
    await mkdir(join(stale, "task"), { recursive: true });
    await writeFile(join(stale, "task", "index.mjs"), "export const handler = () => 1;\n");
    const other = await startJeff({ dataDir });
    try {
      expect(existsSync(stale)).toBe(false);
    } finally {
      await other.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("stopping Jeff", () => {
  it("ends every pooled slot and removes its folder", async (ctx) => {
    if (!sandboxed) ctx.skip();
    await until(async () => (await readySlots(python.runtime)) >= 1, "a pooled slot standing by");
    const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c, ...descendants(c)]);
    const processes = descendants(jeff.child.pid!);
    expect(processes.length).toBeGreaterThan(0);
    const environments = join(jeff.dataDir, "functions", "environments");
    expect(readdirSync(environments).length).toBeGreaterThan(0);
    // Not stop(), which also removes the data directory: what Jeff leaves in it is the point here.
    jeff.child.kill("SIGTERM");
    expect(await jeff.exited()).toBe(0);
    const alive = () =>
      processes.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    await until(
      () => alive().length === 0,
      () => `processes left running: ${alive().join(", ")}`,
    );
    expect(readdirSync(environments)).toEqual([]);
  });
});
