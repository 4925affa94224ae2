// test_lambda.py::TestLambdaBehavior: warm environments, timeouts, what a function sees of its
// environment. The tests that need arm64 hardware or Step Functions are excluded in scope.ts.
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

/** Sleeps `event["wait"]` seconds between two lines (functions/lambda_timeout.py). */
const pythonTimeout = [
  "import logging",
  "import time",
  "",
  "",
  "def handler(event, context):",
  "    try:",
  '        print("starting wait")',
  '        time.sleep(event["wait"])',
  '        print("done waiting")',
  "    except Exception as e:",
  '        print("exception while waiting")',
  "        logging.error(e)",
  "",
].join("\n");

/** Keeps a file in /tmp and a number in memory, or sleeps (functions/lambda_timeout_env.py). */
const pythonTimeoutEnvironment = [
  "import time",
  "",
  "number = 0",
  "",
  "",
  "def handler(event, context):",
  "    global number",
  '    if event.get("write-file"):',
  '        with open("/tmp/temp-store", "w") as f:',
  '            f.write(event["write-file"])',
  '    elif event.get("read-file"):',
  '        with open("/tmp/temp-store") as f:',
  '            return {"content": f.read()}',
  '    elif event.get("set-number"):',
  '        number = event["set-number"]',
  '    elif event.get("read-number"):',
  '        return {"number": number}',
  '    elif event.get("sleep"):',
  '        print("starting wait")',
  '        time.sleep(event["sleep"])',
  '        print("done waiting")',
  "",
].join("\n");

/** Counts its invocations in a module-level variable (functions/lambda_cache.*). */
const cacheSources = {
  nodejs: {
    runtime: "nodejs20.x",
    file: "handler.js",
    source: ["let counter = 0;", "module.exports.handler = async () => ({ counter: counter++ });", ""].join(
      "\n",
    ),
  },
  python: {
    runtime: "python3.12",
    file: "handler.py",
    source: [
      "counter = 0",
      "",
      "",
      "def handler(event, context):",
      "    global counter",
      '    result = {"counter": counter}',
      "    counter += 1",
      "    return result",
      "",
    ].join("\n"),
  },
} as const;

/** The owner, mode and place of the paths a function looks at (functions/lambda_introspect.py). */
const pythonIntrospect = [
  "import getpass",
  "import os",
  "import platform",
  "import stat",
  "import subprocess",
  "from pathlib import Path",
  "",
  "",
  "def handler(event, context):",
  "    paths = {}",
  '    for p in ["/var/task", "/opt", "/tmp", "/lambda-entrypoint.sh"]:',
  '        label = p.replace("/", "_")',
  "        info = Path(p).stat()",
  '        paths[label + "_mode"] = stat.filemode(info.st_mode)',
  '        paths[label + "_uid"] = info.st_uid',
  '        paths[label + "_owner"] = Path(p).owner()',
  '        paths[label + "_gid"] = info.st_gid',
  "    return {",
  '        "event": event,',
  '        "user_login_name": getpass.getuser(),',
  '        "user_whoami": subprocess.getoutput("whoami"),',
  '        "platform_system": platform.system(),',
  '        "platform_machine": platform.machine(),',
  '        "pwd": os.getcwd(),',
  '        "paths": paths,',
  "    }",
  "",
].join("\n");

/** The soft and hard limit of each resource (functions/lambda_ulimits.py). */
const pythonUlimits = [
  "import resource",
  "",
  "NAMES = [",
  '    "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE",',
  '    "RLIMIT_MEMLOCK", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_STACK",',
  "]",
  "",
  "",
  "def handler(event, context):",
  "    return {name: resource.getrlimit(getattr(resource, name)) for name in NAMES}",
  "",
].join("\n");

/** Its whole environment (functions/lambda_process_inspection.py). */
const pythonEnvironment = [
  "import os",
  "",
  "",
  "def handler(event, context):",
  '    return {"environment": dict(os.environ)}',
  "",
].join("\n");

function invokeWith(r: Replay, name: string, event: unknown) {
  return r.ok(
    r.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    ),
  );
}

/** Waits until the first log stream of the function shows `starting wait`; answers its lines. */
async function waitForLines(r: Replay, name: string, line: string): Promise<string[]> {
  const events = await r.logEvents(name, (e) => e.some((event) => event.message?.includes(line)));
  return events.map((event) => event.message ?? "");
}

export const cases: ReplayCase[] = [
  ...(["nodejs", "python"] as const).map((id) =>
    replayed("test_lambda", `TestLambdaBehavior::test_lambda_cache_local[${id}]`, async (r) => {
      const name = `test_lambda_${shortUid()}`;
      const { runtime, file, source } = cacheSources[id];
      await r.createFunction({ funcName: name, Runtime: runtime, files: { [file]: source } });
      r.match("first_invoke_result", await r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name }))));
      r.match("second_invoke_result", await r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name }))));
    }),
  ),

  // The test's errorMessage transformer replaces the request id by `<timeout_error_msg>`, which the
  // recording's placeholder stands for already.
  replayed("test_lambda", "TestLambdaBehavior::test_lambda_invoke_with_timeout", async (r) => {
    const name = `test_lambda_${shortUid()}`;
    r.match(
      "create-result",
      await r.createFunction({
        funcName: name,
        Runtime: "python3.12",
        Timeout: 1,
        files: { "handler.py": pythonTimeout },
      }),
    );
    r.match("invoke-result", await invokeWith(r, name, { wait: 2 }));
    const lines = await waitForLines(r, name, "starting wait");
    if (lines.some((l) => l.includes("done waiting"))) throw new Error("the function ran past its timeout");
  }),

  replayed("test_lambda", "TestLambdaBehavior::test_lambda_invoke_no_timeout", async (r) => {
    const name = `test_lambda_${shortUid()}`;
    r.match(
      "create-result",
      await r.createFunction({
        funcName: name,
        Runtime: "python3.12",
        Timeout: 2,
        files: { "handler.py": pythonTimeout },
      }),
    );
    r.match("invoke-result", await invokeWith(r, name, { wait: 1 }));
    await waitForLines(r, name, "done waiting");
  }),

  // Recorded in 2024 (skipped since as flaky in LocalStack's CI).
  replayed("test_lambda", "TestLambdaBehavior::test_lambda_invoke_timed_out_environment_reuse", async (r) => {
    const name = `test_lambda_${shortUid()}`;
    r.match(
      "create-result",
      await r.createFunction({
        funcName: name,
        Runtime: "python3.12",
        Timeout: 1,
        files: { "handler.py": pythonTimeoutEnvironment },
      }),
    );
    r.match("invoke-result-file-write", await invokeWith(r, name, { "write-file": "some-content" }));
    r.match("invoke-result-file-read", await invokeWith(r, name, { "read-file": true }));
    r.match("invoke-result-set-number", await invokeWith(r, name, { "set-number": 42 }));
    r.match("invoke-result-read-number", await invokeWith(r, name, { "read-number": true }));
    r.match("invoke-result-timed-out", await invokeWith(r, name, { sleep: 2 }));
    await waitForLines(r, name, "starting wait");
    r.match("invoke-result-file-read-after-timeout", await invokeWith(r, name, { "read-file": true }));
    r.match("invoke-result-read-number-after-timeout", await invokeWith(r, name, { "read-number": true }));
  }),

  replayed("test_lambda", "TestLambdaBehavior::test_runtime_introspection_x86", async (r) => {
    const name = `test_lambda_x86_${shortUid()}`;
    await r.createFunction({
      funcName: name,
      Runtime: "python3.12",
      Timeout: 9,
      Architectures: ["x86_64"],
      files: { "handler.py": pythonIntrospect },
    });
    r.match(
      "invoke_runtime_x86_introspection",
      await r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name }))),
    );
  }),

  // LocalStack sets AWS's limits on its containers for this test; Jeff's environments have them.
  replayed("test_lambda", "TestLambdaBehavior::test_runtime_ulimits", async (r) => {
    const name = `test_lambda_ulimits_${shortUid()}`;
    await r.createFunction({ funcName: name, Runtime: "python3.12", files: { "handler.py": pythonUlimits } });
    r.match("invoke_runtime_ulimits", await r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name }))));
  }),

  replayed("test_lambda", "TestLambdaBehavior::test_lambda_init_environment", async (r) => {
    // The test's key_value transformers (credentials, trace id, log stream, the X-Ray daemon's
    // address) replace values by numbered placeholders, which the recording's stand for already.
    const name = `test_lambda_${shortUid()}`;
    r.match(
      "create-result",
      await r.createFunction({
        funcName: name,
        Runtime: "python3.14",
        files: { "handler.py": pythonEnvironment },
      }),
    );
    r.match("lambda-init-inspection", await invokeWith(r, name, { pid: 1 }));
  }),
];
