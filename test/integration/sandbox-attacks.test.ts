// The attacks the isolation issue lists, made by function code against the real server, each from
// Python and from a `provided` shell bootstrap (and from Node where Node's permission model once
// was the only wall). Every one must fail, and Jeff must keep answering.

import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  type LambdaClient,
  PutFunctionConcurrencyCommand,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeFileIn } from "../stores.js";
import { firstDeadLetters } from "./dead-letters.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { decode, isSandboxed, lambdaClientFor, shellBootstrap, text } from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let sandboxed = false;

/** A shell bootstrap that runs each event (a JSON string) as a script and returns its output. */

/** A Python handler that runs the event's code and returns what it put in `result`. */
const pythonHandler = `
def handler(event, context):
    scope = {}
    exec(event["code"], scope)
    return scope.get("result")
`;

async function create(name: string, runtime: string, files: Record<string, string>, extra = {}) {
  const zip = zipSync(
    Object.fromEntries(
      Object.entries(files).map(([path, body]) => [
        path,
        // The bootstrap must be executable by the sandbox's user.
        [text(body), { attrs: (path === "bootstrap" ? 0o100755 : 0o100644) << 16, os: 3 }],
      ]),
    ) as Parameters<typeof zipSync>[0],
  );
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime as Runtime,
      Handler: runtime.startsWith("python")
        ? "app.handler"
        : runtime.startsWith("nodejs")
          ? "index.handler"
          : "x",
      Role: `arn:aws:iam::${jeff.accountId}:role/attacker`,
      Code: { ZipFile: zip },
      Timeout: 10,
      ...extra,
    }),
  );
}

async function invoke(name: string, event: unknown) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: text(JSON.stringify(event)) }),
  );
  return { error: out.FunctionError, body: JSON.parse(decode(out.Payload)) as unknown };
}

const shell = async (script: string) => (await invoke("shell", script)).body as string;
const python = async (code: string) => (await invoke("py", { code })).body;

/** Whether this machine (outside any sandbox) can open a TCP connection to `host:port`. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

async function healthy(): Promise<boolean> {
  const response = await fetch(`${jeff.url}/_jeff/health`);
  return response.status === 200;
}

/** Host pids whose environment names this function: its environments' processes, seen from outside. */
function processesOf(functionName: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (environ.split("\0").includes(`AWS_LAMBDA_FUNCTION_NAME=${functionName}`)) found.push(Number(entry));
    } catch {
      // Gone, or a kernel thread.
    }
  }
  return found;
}

function processesRunning(commandLine: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").includes(commandLine))
        found.push(Number(entry));
    } catch {
      // Gone.
    }
  }
  return found;
}

beforeAll(async () => {
  jeff = await startJeff();
  lambda = lambdaClientFor(jeff);
  sandboxed = await isSandboxed(jeff);
  await create("shell", "provided.al2023", { bootstrap: shellBootstrap });
  await create("py", "python3.12", { "app.py": pythonHandler });
  await create("neighbour", "nodejs20.x", {
    "index.mjs": `export const handler = async () => process.env.AWS_LAMBDA_RUNTIME_API;`,
  });
}, 60_000);

afterAll(async () => {
  await jeff?.stop();
});

/** What the attacks aim at, all real and readable by Jeff's own user. */
async function targets() {
  const sha = (await lambda.send(new GetFunctionCommand({ FunctionName: "neighbour" }))).Configuration!
    .CodeSha256!;
  const neighbourCode = join(
    jeff.dataDir,
    "functions/code",
    jeff.accountId,
    Buffer.from(sha, "base64").toString("hex"),
    "index.mjs",
  );
  const store = storeFileIn(jeff.dataDir);
  expect(readFileSync(store).length).toBeGreaterThan(0);
  expect(readFileSync(neighbourCode, "utf8")).toContain("AWS_LAMBDA_RUNTIME_API");
  return { store, neighbourCode, environ: `/proc/${jeff.child.pid}/environ`, jeffPid: jeff.child.pid! };
}

describe.runIf(process.platform === "linux")("the sandbox, attacked from inside", () => {
  it("keeps Python and a shell away from the store, Jeff's environment, other code and the data directory", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const t = await targets();
    const planted = join(jeff.dataDir, "planted-by-python");
    const read = (path: string) => `
try:
    open(${JSON.stringify(path)}, "rb").read(); result = "read"
except OSError as e:
    result = type(e).__name__`;
    expect(await python(read(t.store))).toBe("FileNotFoundError");
    expect(await python(read(t.environ))).toBe("FileNotFoundError");
    expect(await python(read(t.neighbourCode))).toBe("FileNotFoundError");
    expect(
      await python(`
try:
    open(${JSON.stringify(planted)}, "w").write("x"); result = "written"
except OSError as e:
    result = type(e).__name__`),
    ).toBe("FileNotFoundError");
    const out = await shell(
      `cat ${t.store} >/dev/null 2>&1 && echo STORE-READ; cat ${t.environ} >/dev/null 2>&1 && echo ENVIRON-READ; ` +
        `cat ${t.neighbourCode} >/dev/null 2>&1 && echo NEIGHBOUR-READ; ` +
        `(echo x > ${jeff.dataDir}/planted-by-shell) 2>/dev/null && echo PLANTED; ls / | tr '\\n' ' '`,
    );
    expect(out).not.toMatch(/STORE-READ|ENVIRON-READ|NEIGHBOUR-READ|PLANTED/);
    // Nothing of Jeff's is there at all: the root holds the system, the code and /tmp.
    expect(out.trim().split(" ").sort()).toEqual(
      expect.arrayContaining(["dev", "proc", "tmp", "usr", "var"]),
    );
    expect(readdirSync(jeff.dataDir)).not.toEqual(
      expect.arrayContaining(["planted-by-python", "planted-by-shell"]),
    );
  });

  it("cannot kill Jeff from Node, Python or a shell", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const { jeffPid } = await targets();
    await create("node-killer", "nodejs20.x", {
      "index.mjs": `export const handler = async (event) => {
  const tries = {};
  for (const [name, pid] of Object.entries({ parent: process.ppid, jeff: event.pid })) {
    try { process.kill(pid, "SIGKILL"); tries[name] = "sent"; } catch (e) { tries[name] = e.code; }
  }
  return tries;
};`,
    });
    const node = await invoke("node-killer", { pid: jeffPid });
    // Jeff's pid does not exist in the sandbox; its parent there is the sandbox's own init.
    expect((node.body as { jeff: string }).jeff).toBe("ESRCH");
    expect(
      await python(`
import os, signal
try:
    os.kill(${jeffPid}, signal.SIGKILL); result = "sent"
except ProcessLookupError:
    result = "no such process"
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError:
    pass`),
    ).toBe("no such process");
    await shell(
      `kill -9 ${jeffPid} 2>/dev/null; kill -9 $PPID 2>/dev/null; kill -9 -1 2>/dev/null; echo done`,
    );
    expect(jeff.child.exitCode).toBeNull();
    expect(await healthy()).toBe(true);
    // Jeff still runs functions.
    expect((await invoke("neighbour", {})).error).toBeUndefined();
  });

  it("refuses to remount the code read-write, from Python and a shell", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const out = await shell(
      "mount -o remount,rw /var/task 2>&1; echo rc=$?; touch /var/task/x 2>&1; echo rc=$?; id -u",
    );
    expect(out).toMatch(/rc=[1-9]\d*\n.*\nrc=[1-9]/s);
    expect(out.trim().split("\n").at(-1)).toBe("993");
    expect(
      await python(`
import subprocess
r = subprocess.run(["mount", "-o", "remount,rw", "/var/task"], capture_output=True)
try:
    open("/var/task/app.py", "a").write("# changed")
    wrote = "wrote"
except OSError as e:
    wrote = type(e).__name__
result = [r.returncode != 0, wrote]`),
    ).toEqual([true, "OSError"]);
  });

  it("cannot change the kernel's settings or write anywhere but a bounded /tmp", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const out = await shell(
      "v=$(cat /proc/sys/kernel/printk_ratelimit); (echo $v > /proc/sys/kernel/printk_ratelimit) 2>/dev/null && echo SYSCTL-WRITTEN; " +
        "(echo x > /planted) 2>/dev/null && echo ROOT-WRITTEN; (echo x > /var/planted) 2>/dev/null && echo VAR-WRITTEN; " +
        "(echo x > /dev/planted) 2>/dev/null && echo DEV-WRITTEN; " +
        "head -c 100000000 /dev/zero > /dev/shm/fill 2>/dev/null || echo SHM-FULL; " +
        "echo kept > /tmp/file && cat /tmp/file",
    );
    expect(out).not.toMatch(/WRITTEN/);
    expect(out).toContain("SHM-FULL");
    expect(out.trim().split("\n").at(-1)).toBe("kept");
  });

  it("reaches Jeff's API, but not PostgreSQL's port or another environment's Runtime API", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const peer = (await invoke("neighbour", {})).body as string;
    const peerPort = Number(peer.split("/")[0]!.split(":")[1]);
    expect(peerPort).toBeGreaterThan(0);
    const result = await python(`
import os, socket, urllib.request
def connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close(); return "connected"
    except OSError as e:
        return type(e).__name__
api = urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_jeff/health", timeout=10).status
result = {"api": api, "postgres": connect(5432), "peer": connect(${peerPort})}`);
    expect(result).toEqual({ api: 200, postgres: "ConnectionRefusedError", peer: "ConnectionRefusedError" });
    const out = await shell(
      `curl -s -o /dev/null -w '%{http_code}' "$AWS_ENDPOINT_URL/_jeff/health"; echo; ` +
        `curl -s -m 5 http://127.0.0.1:5432/ >/dev/null 2>&1; echo pg=$?; curl -s -m 5 http://127.0.0.1:${peerPort}/ >/dev/null 2>&1; echo peer=$?`,
    );
    expect(out).toMatch(/^200\npg=7\npeer=7/);
  });

  it("contains a fork bomb: Jeff and other functions keep answering, and nothing of it is left", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    await create("bomb", "provided.al2023", { bootstrap: shellBootstrap }, { Timeout: 4 });
    // The loop keeps the script alive when the bomb leaves no process for `sleep`: only the
    // timeout may end this invocation.
    const bombing = invoke("bomb", "bomb() { bomb | bomb & }; bomb; while :; do sleep 30; done");
    // While it runs out its timeout, Jeff answers and another function runs.
    await until(async () => processesOf("bomb").length > 50, "the bomb never went off", 30_000);
    expect(await healthy()).toBe(true);
    expect((await invoke("neighbour", {})).error).toBeUndefined();
    const ended = await bombing;
    expect(ended.error).toBe("Unhandled");
    expect(ended.body).toMatchObject({ errorType: "Sandbox.Timedout" });
    await until(() => processesOf("bomb").length === 0, "the bomb's processes outlived it", 30_000);
  }, 90_000);

  it("ends a function that allocates past its MemorySize as Runtime.OutOfMemory", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    await create("hog", "python3.12", { "app.py": pythonHandler }, { MemorySize: 128 });
    const out = await invoke("hog", {
      code: "import time\nblock = bytearray(400 * 1024 * 1024)\ntime.sleep(5)\nresult = len(block)",
    });
    expect(out.error).toBe("Unhandled");
    expect(out.body).toMatchObject({ errorType: "Runtime.OutOfMemory" });
  }, 60_000);

  it("times out a function whose detached child lives on, frees its slot, and ends the child", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    await create("detacher", "python3.12", { "app.py": pythonHandler }, { Timeout: 2 });
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "detacher", ReservedConcurrentExecutions: 1 }),
    );
    const out = await invoke("detacher", {
      code: `import subprocess, time
subprocess.Popen(["sleep", "4517"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(60)`,
    });
    expect(out.body).toMatchObject({ errorType: "Sandbox.Timedout" });
    // The only slot is free again, and the child went with its environment.
    expect((await invoke("detacher", { code: "result = 'again'" })).body).toBe("again");
    await until(
      () => processesRunning("sleep 4517").length === 0,
      "the detached child outlived its environment",
    );
  }, 60_000);

  it("cannot connect to the PostgreSQL on the host, where the store may live", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    // Every address of this machine on which its PostgreSQL port answers the host itself.
    const candidates = [
      "127.0.0.1",
      ...Object.values(networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && a.family === "IPv4" && !a.internal)
        .map((a) => a!.address),
    ];
    const reachable: string[] = [];
    for (const host of candidates) if (await connects(host, 5432)) reachable.push(host);
    if (reachable.length === 0) ctx.skip("no PostgreSQL answers on this machine's port 5432");
    await create("pg-prober", "nodejs20.x", {
      "index.mjs": `import { connect } from "node:net";
const attempt = (host) => new Promise((resolve) => {
  const socket = connect({ host, port: 5432, timeout: 5000 });
  socket.once("connect", () => { socket.destroy(); resolve("connected"); });
  socket.once("timeout", () => { socket.destroy(); resolve("timeout"); });
  socket.once("error", (e) => resolve(e.code));
});
export const handler = async (event) =>
  Object.fromEntries(await Promise.all(event.hosts.map(async (h) => [h, await attempt(h)])));`,
    });
    const result = (await invoke("pg-prober", { hosts: reachable })).body as Record<string, string>;
    expect(Object.keys(result).sort()).toEqual([...reachable].sort());
    for (const host of reachable) expect(result[host], host).not.toBe("connected");
  });

  it("will not let a Node function read through links it makes in /tmp", async (ctx) => {
    if (!sandboxed) ctx.skip("this machine cannot build the sandbox");
    const { store } = await targets();
    await create("linker", "nodejs20.x", {
      "index.mjs": `import { symlinkSync, readFileSync } from "node:fs";
export const handler = async (event) => {
  let path = "/tmp";
  try {
    for (let i = 0; i < 6; i++) { symlinkSync("..", path + "/r" + i); path += "/r" + i; }
  } catch (e) { return "no links: " + e.code; }
  try { readFileSync(path + event.store); return "read"; } catch (e) { return e.code; }
};`,
    });
    const out = await invoke("linker", { store });
    // Node's permission model refuses the links; were it to allow them, the store is not there.
    expect(out.body).toMatch(/^(no links: ERR_ACCESS_DENIED|ENOENT|ERR_ACCESS_DENIED)$/);
  });
});

describe.runIf(process.platform === "linux")("a SIGKILL of Jeff", () => {
  it("leaves no environment process behind", async () => {
    const victim = await startJeff();
    const client = lambdaClientFor(victim);
    const name = `orphan-check-${process.pid}`;
    await client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "provided.al2023",
        Handler: "x",
        Role: `arn:aws:iam::${victim.accountId}:role/r`,
        Code: {
          ZipFile: zipSync({
            bootstrap: [
              text(`#!/bin/sh\nsleep 300 & \n${shellBootstrap.split("\n").slice(1).join("\n")}`),
              {
                attrs: 0o100755 << 16,
                os: 3,
              },
            ],
          } as Parameters<typeof zipSync>[0]),
        },
      }),
    );
    await client.send(new InvokeCommand({ FunctionName: name, Payload: text(JSON.stringify("echo warm")) }));
    expect(processesOf(name).length).toBeGreaterThan(0);
    await victim.stop("SIGKILL");
    await until(() => processesOf(name).length === 0, "an environment's process outlived Jeff", 30_000);
    await until(
      () => processesRunning(victim.dataDir).length === 0,
      "a helper process (pasta) outlived Jeff",
      30_000,
    );
  }, 60_000);
});

/** Python that signs a request to Jeff with the function's own session, as any client could. */
const pythonSigner = `
import os, json, hashlib, hmac, datetime, urllib.request, urllib.error
from urllib.parse import urlparse
def send(method, path, service, body, headers, signed=True):
    url = os.environ["AWS_ENDPOINT_URL"] + path
    u = urlparse(url)
    now = datetime.datetime.now(datetime.timezone.utc)
    amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    region = os.environ["AWS_REGION"]
    digest = hashlib.sha256(body).hexdigest()
    headers = dict(headers, **{"host": u.netloc, "x-amz-date": amz, "x-amz-content-sha256": digest,
               "x-amz-security-token": os.environ["AWS_SESSION_TOKEN"]})
    names = ";".join(sorted(headers))
    canonical = "\\n".join([method, u.path, "", "".join(k + ":" + headers[k] + "\\n" for k in sorted(headers)), names, digest])
    scope = "/".join([day, region, service, "aws4_request"])
    to_sign = "\\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + os.environ["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if signed:
        headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=" + os.environ["AWS_ACCESS_KEY_ID"] + "/" + scope
            + ", SignedHeaders=" + names + ", Signature=" + signature)
    del headers["host"]
    try:
        answer = urllib.request.urlopen(urllib.request.Request(url, data=body, method=method, headers=headers))
        return [answer.status, answer.read().decode()]
    except urllib.error.HTTPError as e:
        return [e.code, e.read().decode()]
def events(action, request):
    answer = send("POST", "/", "events", json.dumps(request).encode(),
        {"content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents." + action})
    if answer[0] != 200:
        raise Exception(action + ": " + answer[1])
    return json.loads(answer[1])
`;

/** Python that uploads packages to Jeff's package route, signed and unsigned. */
const pythonUpload = `${pythonSigner}
import io, zipfile
def put(body, signed=True):
    return send("PUT", "/_jeff/packages", "jeff", body, {}, signed)
def package(build):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        build(z)
    return out.getvalue()
def link(z):
    z.writestr("index.py", "def handler(e, c): return 1")
    info = zipfile.ZipInfo("escape")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    z.writestr(info, "../../../../etc/passwd")
def bomb(z):
    with z.open("zeros", "w") as f:
        block = bytes(1024 * 1024)
        for _ in range(300):
            f.write(block)
def create_from(bucket, key):
    request = {"FunctionName": "from-refused", "Runtime": "python3.12", "Handler": "index.handler",
        "Role": "arn:aws:iam::123456789012:role/x",
        "Code": {"S3Bucket": bucket, "S3Key": key}}
    return send("POST", "/2015-03-31/functions", "lambda", json.dumps(request).encode(),
        {"content-type": "application/json"})
refused = {"link": package(link), "bomb": package(bomb)}
result = {
    "unsigned": put(b"PK", signed=False)[0],
    "link": put(refused["link"]),
    "bomb": put(refused["bomb"]),
    "own": put(package(lambda z: z.writestr("index.py", "def handler(e, c): return 1")))[0],
    # A refused package was never kept, so no function can be made of it by naming its hash.
    "named": [create_from("jeff-packages", hashlib.sha256(body).hexdigest() + ".zip") for body in refused.values()],
    "traversal": create_from("jeff-packages", "../../../../etc/passwd"),
    "elsewhere": create_from("someone-elses-bucket", "code.zip"),
    "path": create_from("../functions", "code.zip"),
}
`;

describe("the package route, from inside functions", () => {
  it("checks what a Python function uploads as any client's, and refuses a shell's unsigned PUT", async () => {
    await create("uploader", "python3.12", { "app.py": pythonHandler }, { Timeout: 120, MemorySize: 512 });
    const out = (await invoke("uploader", { code: pythonUpload })) as {
      error?: string;
      body: {
        unsigned: number;
        link: [number, string];
        bomb: [number, string];
        own: number;
        named: [number, string][];
        traversal: [number, string];
        elsewhere: [number, string];
        path: [number, string];
      };
    };
    expect(out.error, JSON.stringify(out.body)).toBeUndefined();
    expect(out.body.unsigned).toBe(403);
    // A link out of the package and a bomb are refused, as from any other client, writing nothing.
    expect(out.body.link[0]).toBe(400);
    expect(out.body.link[1]).toContain("escape");
    expect(out.body.bomb[0]).toBe(400);
    expect(out.body.bomb[1]).toContain("Unzipped size must be smaller than 262144000 bytes");
    // Its own account's package is taken: the same as CreateFunction's ZipFile, which it may call too.
    expect(out.body.own).toBe(200);
    // Naming a refused package by its hash, a path, or another bucket makes no function.
    for (const [status, body] of [...out.body.named, out.body.traversal]) {
      expect(status).toBe(400);
      expect(body).toContain("S3 Error Code: NoSuchKey");
    }
    expect(out.body.elsewhere[0]).toBe(400);
    expect(out.body.elsewhere[1]).toContain("S3 Error Code: NoSuchBucket");
    // A bucket that is no bucket name is refused by the model's pattern, as by AWS.
    expect(out.body.path[0]).toBe(400);
    expect(out.body.path[1]).toContain("ValidationException");

    const status = await shell(
      `curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @/etc/hostname "$AWS_ENDPOINT_URL/_jeff/packages"`,
    );
    expect(status.trim()).toBe("403");
  }, 180_000);
});

describe("HTTP targets aimed at the host's loopback, from inside functions", () => {
  it("sends nothing to a service on loopback, whether Python or a shell sets up the rule", async () => {
    // A service on the host's loopback that the sandbox hides: what PostgreSQL or Redis would be.
    let hits = 0;
    const internal = createServer((req, res) => {
      hits += 1;
      req.resume();
      res.end("secret");
    });
    await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", () => resolve()));
    const port = (internal.address() as AddressInfo).port;
    const queue = (who: string) => `arn:aws:sqs:${jeff.region}:${jeff.accountId}:${who}-dlq`;
    try {
      // Python: a connection, an API destination on loopback, a rule and a target, then an event.
      await create("py-hook", "python3.12", { "app.py": pythonHandler }, { Timeout: 60 });
      const made = await invoke("py-hook", {
        code: `${pythonSigner}
connection = events("CreateConnection", {"Name": "py-conn", "AuthorizationType": "API_KEY",
    "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}})
destination = events("CreateApiDestination", {"Name": "py-dest", "ConnectionArn": connection["ConnectionArn"],
    "InvocationEndpoint": "http://127.0.0.1:${port}/py", "HttpMethod": "POST"})
events("PutRule", {"Name": "py-rule", "EventPattern": json.dumps({"source": ["py-attack"]})})
events("PutTargets", {"Rule": "py-rule", "Targets": [{"Id": "t", "Arn": destination["ApiDestinationArn"],
    "DeadLetterConfig": {"Arn": "${queue("py")}"}}]})
result = events("PutEvents", {"Entries": [{"Source": "py-attack", "DetailType": "d", "Detail": "{}"}]})["FailedEntryCount"]`,
      });
      expect(made, JSON.stringify(made.body)).toEqual({ error: undefined, body: 0 });

      // A shell, signing with curl: the same through a name that resolves to loopback.
      await create("sh-hook", "provided.al2023", { bootstrap: shellBootstrap }, { Timeout: 60 });
      const out = (
        await invoke(
          "sh-hook",
          `call() { curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:events" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \\
  -H "x-amz-security-token: $AWS_SESSION_TOKEN" -H "content-type: application/x-amz-json-1.1" \\
  -H "x-amz-target: AWSEvents.$1" --data-binary "$2" "$AWS_ENDPOINT_URL/"; echo; }
CONN=$(call CreateConnection '{"Name":"sh-conn","AuthorizationType":"BASIC","AuthParameters":{"BasicAuthParameters":{"Username":"u","Password":"p"}}}' | sed 's/.*"ConnectionArn":"\\([^"]*\\)".*/\\1/')
DEST=$(call CreateApiDestination '{"Name":"sh-dest","ConnectionArn":"'"$CONN"'","InvocationEndpoint":"http://localhost:${port}/sh","HttpMethod":"GET"}' | sed 's/.*"ApiDestinationArn":"\\([^"]*\\)".*/\\1/')
call PutRule '{"Name":"sh-rule","EventPattern":"{\\"source\\":[\\"sh-attack\\"]}"}'
call PutTargets '{"Rule":"sh-rule","Targets":[{"Id":"t","Arn":"'"$DEST"'","DeadLetterConfig":{"Arn":"${queue("sh")}"}}]}'
call PutEvents '{"Entries":[{"Source":"sh-attack","DetailType":"d","Detail":"{}"}]}'`,
        )
      ).body as string;
      expect(out).toContain('"FailedEntryCount":0');

      // Each event ends as a dead letter that names the refusal; the service never heard of it.
      for (const who of ["py", "sh"]) {
        const letters = await firstDeadLetters(jeff, queue(who), `${who}'s dead letter`);
        expect(letters[0]!.attributes.ERROR_CODE).toBe("CONNECTION_FAILURE");
        expect(letters[0]!.attributes.ERROR_MESSAGE).toEqual(
          who === "py"
            ? "Jeff does not send to 127.0.0.1 (a loopback address) unless the operator allows it with --http-target-allow."
            : expect.stringMatching(
                /^Jeff does not send to localhost: it resolves to a loopback (or unspecified )?address, unless the operator allows it with --http-target-allow\.$/,
              ),
        );
      }
      expect(hits).toBe(0);
      expect(await healthy()).toBe(true);
    } finally {
      await new Promise<void>((resolve) => internal.close(() => resolve()));
    }
  }, 180_000);
});

/** Python that writes frames to the runtime's channel (fd 3) itself, as hostile handler code may. */
const pythonChannel = `
import os, struct, json, time
def frame(head, body=b""):
    h = json.dumps(head).encode()
    return struct.pack("<II", len(h), len(body)) + h + body
`;

/** Jeff's resident memory, in KiB, read from outside. */
function jeffRssKb(): number {
  const status = readFileSync(`/proc/${jeff.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

describe.runIf(process.platform === "linux")("the runtime channel, attacked from inside", () => {
  it("ignores frames a Python handler forges for another invocation or out of turn", async () => {
    const out = await invoke("py", {
      code: `${pythonChannel}
os.write(3, frame({"k": "response", "id": "not-mine", "s": 0, "n": 1}, b'"forged"'))
os.write(3, frame({"k": "init-error", "t": "Forged"}, b"{}"))
os.write(3, frame({"k": "error", "id": "", "t": "Oops\\nREPORT RequestId: forged"}, b"{}"))
result = "mine"
`,
    });
    expect(out).toEqual({ error: undefined, body: "mine" });
    expect((await invoke("py", { code: "result = 'still here'" })).body).toBe("still here");
  });

  it("takes forged frames written together in one write as it takes them one by one", async () => {
    // Whole frames in one read are taken as views of it, without copies: the same rules apply.
    const out = await invoke("py", {
      code: `${pythonChannel}
os.write(3, frame({"k": "response", "id": "not-mine", "s": 0, "n": 1}, b'"forged"')
    + frame({"k": "init-error", "t": "Forged"}, b"{}")
    + frame({"k": "error", "id": "", "t": "Oops\\nREPORT RequestId: forged"}, b"{}"))
result = "mine"
`,
    });
    expect(out).toEqual({ error: undefined, body: "mine" });
    // A frame that breaks the framing behind a whole one in the same write still ends it.
    const broken = await invoke("py", {
      code: `${pythonChannel}
os.write(3, frame({"k": "response", "id": "not-mine", "s": 0}, b"{}") + struct.pack("<II", 2, 0) + b"[]")
time.sleep(60)
`,
    });
    expect(broken.error).toBe("Unhandled");
    expect(JSON.stringify(broken.body)).not.toContain("Sandbox.Timedout");
    expect((await invoke("py", { code: "result = 'next'" })).body).toBe("next");
  }, 60_000);

  it("ends the environment of a handler that breaks the framing, rather than waiting for its timeout", async () => {
    const out = await invoke("py", {
      code: `${pythonChannel}
os.write(3, struct.pack("<II", 2, 0) + b"[]")
time.sleep(60)
`,
    });
    expect(out.error).toBe("Unhandled");
    expect(JSON.stringify(out.body)).not.toContain("Sandbox.Timedout");
    expect(await healthy()).toBe(true);
    expect((await invoke("py", { code: "result = 'next'" })).body).toBe("next");
  }, 60_000);

  it("holds no more than a frame's bytes when a handler dribbles a large frame a byte at a time", async () => {
    const before = jeffRssKb();
    const out = await invoke("py", {
      code: `${pythonChannel}
head = json.dumps({"k": "response", "id": "x"}).encode()
os.write(3, struct.pack("<II", len(head), 6_000_000) + head)
for _ in range(1_000_000):
    os.write(3, b"x")
result = "dribbled"
`,
    });
    // The frame swallowed the handler's own answer, so the invocation ends at its timeout.
    expect(out.error).toBe("Unhandled");
    expect(JSON.stringify(out.body)).toContain("Sandbox.Timedout");
    expect(await healthy()).toBe(true);
    // A million reads kept one by one cost Jeff about 240 MB; copied into the frame's buffer, a MB.
    expect(jeffRssKb() - before).toBeLessThan(100 * 1024);
    expect((await invoke("py", { code: "result = 'after'" })).body).toBe("after");
  }, 90_000);

  it("gives a custom bootstrap no channel at all: it has the HTTP Runtime API only", async () => {
    const fd3 = await shell(`readlink /proc/$PPID/fd/3 || echo none`);
    expect(fd3).not.toMatch(/socket:/);
  });
});

describe("what a function prints, written behind", () => {
  it("keeps every function's log lines when a Python and a bootstrap function print NULs, broken UTF-8 and a flood at once", async () => {
    const logs = new CloudWatchLogsClient({
      endpoint: jeff.url,
      region: jeff.region,
      credentials: jeff.credentials,
    });
    const hostile = `import sys
sys.stdout.write("nul:\\0:end\\n")
sys.stdout.flush()
sys.stdout.buffer.write(b"bad:\\xff\\xfe:end\\n")
sys.stdout.buffer.flush()
for i in range(3000):
    print("flood", i)
print("after-the-flood")
result = "done"`;
    // A bootstrap that prints a NUL and a byte that is no UTF-8 itself, then answers.
    await create("noisy", "provided.al2023", {
      bootstrap: `#!/bin/sh
while true; do
  HEADERS=$(mktemp)
  curl -sS -o /dev/null -D "$HEADERS" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
  REQUEST=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  printf 'nul:\\000:end\\n' >&2
  printf 'bad:\\377:end\\n'
  curl -sS -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$REQUEST/response" -d '"done"' >/dev/null
done
`,
    });
    const [py, noisy, ...neighbours] = await Promise.all([
      invoke("py", { code: hostile }),
      invoke("noisy", {}),
      ...Array.from({ length: 5 }, () => lambda.send(new InvokeCommand({ FunctionName: "neighbour" }))),
    ]);
    expect(py).toEqual({ error: undefined, body: "done" });
    expect(noisy).toEqual({ error: undefined, body: "done" });
    /** The events of `fn`'s log group that contain `needle`. */
    const lines = async (fn: string, needle: string) => {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, limit: 10_000 }),
      );
      return (out.events ?? [])
        .map((event) => event.message ?? "")
        .filter((message) => message.includes(needle));
    };
    // Every neighbour's invocation has its REPORT, whatever shared its commit.
    for (const out of neighbours) {
      const id = out.$metadata.requestId ?? "";
      expect(await lines("neighbour", id), id).toEqual(
        expect.arrayContaining([expect.stringMatching(/^REPORT /)]),
      );
    }
    // The hostile functions' own lines are kept too, the flood whole.
    expect(await lines("py", "after-the-flood")).toHaveLength(1);
    expect(await lines("py", "flood")).toHaveLength(3001);
    // A NUL is kept as U+FFFD (PostgreSQL's text holds none), broken UTF-8 as decoded: the same on both engines.
    expect(await lines("py", "nul:")).toEqual(["nul:\uFFFD:end\n"]);
    expect(await lines("py", "bad:")).toEqual(["bad:\uFFFD\uFFFD:end\n"]);
    expect(await lines("noisy", "nul:")).toEqual(["nul:\uFFFD:end\n"]);
    expect(await lines("noisy", "bad:")).toEqual(["bad:\uFFFD:end\n"]);
    // And each runs again.
    expect(await python("result = 1 + 1")).toBe(2);
    logs.destroy();
  }, 120_000);
});
