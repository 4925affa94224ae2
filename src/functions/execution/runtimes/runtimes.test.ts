// Real processes, no mocks: the Python runtime client and `bootstrap` executables, through the pool.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvironmentPool, type FunctionSpec, type InvocationResult } from "../environment-pool.js";
import { testIsolation } from "../sandbox/index.js";
import { pythonExecutable, pythonRuntimeClient } from "./python/python-launch.js";

const fixtures = resolve(import.meta.dirname, "../../../../test/fixtures/functions");
const workDir = mkdtempSync(join(tmpdir(), "jeff-runtimes-"));
const isolation = await testIsolation();
const sandboxed = isolation.kind === "sandbox";
/** Where the process sees its code and Jeff's client: Lambda's folders in the sandbox. */
const taskRoot = (fn: FunctionSpec) => (sandboxed ? "/var/task" : fn.codeDir);
const runtimeDir = (hostDir: string) => (sandboxed ? "/var/runtime" : hostDir);
const pool = new EnvironmentPool({
  isolation,
  idleTimeoutMs: 300,
  workDir,
  baseEnvironment: { AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ACCESS_KEY_ID: "AKIDTEST" },
});
afterAll(async () => {
  await pool.close();
  rmSync(workDir, { recursive: true, force: true });
});

let functions = 0;
/** Each call names a new function, so tests running at once never share environments. */
function spec(runtime: string, dir: string, handler: string, overrides: Partial<FunctionSpec> = {}) {
  const name = `rt-${++functions}`;
  return {
    name,
    arn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    version: "$LATEST",
    runtime,
    handler,
    codeDir: join(fixtures, dir),
    codeSha256: "sha-1",
    timeoutSeconds: 3,
    memoryMb: 128,
    environment: { GREETING: "hi" },
    ...overrides,
  } satisfies FunctionSpec;
}
const python = (handler: string, overrides: Partial<FunctionSpec> = {}) =>
  spec("python3.12", "python", handler, overrides);

let requests = 0;
function invoke(fn: FunctionSpec, event: unknown = {}, extra: { clientContext?: string } = {}) {
  return pool.invoke(fn, {
    payload: Buffer.from(JSON.stringify(event)),
    requestId: `req-${++requests}`,
    ...extra,
  });
}

const json = (result: InvocationResult) =>
  JSON.parse(result.payload.toString("utf8")) as Record<string, unknown>;

/** Lambda's variables plus the pool's base ones and the function's own: nothing of Jeff's. */
const lambdaVariables = [
  "AWS_ACCESS_KEY_ID",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_LAMBDA_RUNTIME_API",
  "AWS_REGION",
  "GREETING",
  "LAMBDA_RUNTIME_DIR",
  "LAMBDA_TASK_ROOT",
  "LANG",
  "PATH",
  // From the shell script Lambda starts its Node and Python runtimes with.
  "PWD",
  "SHLVL",
  // Lambda sets none; a plain process, whose writable folder is not /tmp, is told where it is.
  ...(sandboxed ? [] : ["TMPDIR"]),
  "TZ",
  "_HANDLER",
];

describe("the Python runtime client", () => {
  it("is found beside its launcher in src/ and from the compiled dist/ layout", () => {
    expect(pythonRuntimeClient()).toBe(resolve(import.meta.dirname, "python/bootstrap.py"));
    const compiled = resolve(
      import.meta.dirname,
      "../../../../dist/functions/execution/runtimes/python/python-launch.js",
    );
    if (!existsSync(compiled)) return; // dist/ is built by the global setup; JEFF_SKIP_BUILD may skip it.
    const printed = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import(${JSON.stringify(compiled)}).then((m) => console.log(m.pythonRuntimeClient()))`,
      ],
      { encoding: "utf8" },
    );
    expect(printed.trim()).toBe(resolve(import.meta.dirname, "python/bootstrap.py"));
  });
});

describe.concurrent("python3.x", () => {
  it("runs a handler with Lambda's context, environment and log format, then reuses the environment", async () => {
    const fn = python("app.echo");
    const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString("base64");
    const first = await invoke(fn, { hello: "world" }, { clientContext });
    expect(first.functionError).toBeUndefined();
    expect(first.initDurationMs).toBeGreaterThan(0);
    const body = json(first);
    expect(body.event).toEqual({ hello: "world" });
    expect(body.context).toMatchObject({
      aws_request_id: expect.stringMatching(/^req-\d+$/),
      function_name: fn.name,
      function_version: "$LATEST",
      invoked_function_arn: fn.arn,
      memory_limit_in_mb: "128",
      log_group_name: `/aws/lambda/${fn.name}`,
      log_stream_name: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      client_context_custom: { a: 1 },
      identity_id: null,
    });
    expect((body.context as { remaining: number }).remaining).toBeGreaterThan(0);
    expect(body.cwd).toBe(taskRoot(fn));
    const env = body.env as Record<string, string>;
    // python3.12 and later run on Lambda's Amazon Linux 2023 images, whose missing locale Python
    // coerces to C.UTF-8 and says so in LC_CTYPE.
    expect(Object.keys(env).sort()).toEqual([...lambdaVariables, "LC_CTYPE"].sort());
    expect(env).toMatchObject({
      LC_CTYPE: "C.UTF-8",
      PWD: taskRoot(fn),
      SHLVL: "0",
      AWS_EXECUTION_ENV: "AWS_Lambda_python3.12",
      AWS_REGION: "eu-west-1",
      LAMBDA_TASK_ROOT: taskRoot(fn),
      LAMBDA_RUNTIME_DIR: runtimeDir(resolve(import.meta.dirname, "python")),
      _HANDLER: "app.echo",
      GREETING: "hi",
      TZ: ":UTC",
    });
    // The secret path segment after host:port survives the client's string concatenation.
    expect(env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+\/[0-9a-f]{24}$/);
    expect(first.log).toMatch(
      /^START RequestId: (req-\d+) Version: \$LATEST\necho \{'hello': 'world'\}\n\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\1\tlogged through logging\nEND RequestId: \1\nREPORT RequestId: \1\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$/,
    );

    const second = await invoke(fn, { n: 2 });
    expect(second.initDurationMs).toBeUndefined();
    expect(json(second).invocations).toBe(2);
    expect(second.log).toContain("echo {'n': 2}\n");
    expect(second.log).not.toContain("hello");
  });

  it("runs nested handlers named with a slash or with dots", async () => {
    for (const handler of ["pkg/mod.handler", "pkg.mod.handler"]) {
      const result = await invoke(python(handler));
      expect(result.payload.toString()).toBe('"nested handler in pkg/mod.py"');
    }
  });

  it("reports a raised exception in Python's Lambda shape and keeps the environment", async () => {
    const fn = python("app.throws");
    const result = await invoke(fn);
    expect(result.functionError).toBe("Unhandled");
    expect(JSON.stringify(json(result).stackTrace)).toContain(`${taskRoot(fn)}/app.py`);
    const body = json(result);
    expect(body).toEqual({
      errorMessage: "the handler failed",
      errorType: "ValueError",
      requestId: expect.stringMatching(/^req-\d+$/),
      stackTrace: [expect.stringMatching(/^ {2}File ".*\/app\.py", line \d+, in throws\n/)],
    });
    expect(result.log).toMatch(
      /\[ERROR\] ValueError: the handler failed\nTraceback \(most recent call last\):\n\u00a0{2}File ".*app\.py", line \d+, in throws\n/,
    );
    const again = await invoke(fn);
    expect(again.initDurationMs).toBeUndefined();
    expect(json(again).errorType).toBe("ValueError");
  });

  it("leaves LC_CTYPE out before 3.12, as Lambda's Amazon Linux 2 images do", async () => {
    const older = json(await invoke(spec("python3.11", "python", "app.echo"))).env as Record<string, string>;
    expect(Object.keys(older).sort()).toEqual([...lambdaVariables].sort());
  });

  it("marshals results as Lambda does: Decimal as a number, non-ASCII kept from 3.12", async () => {
    const modern = await invoke(python("app.decimal_and_unicode"));
    expect(modern.payload.toString("utf8")).toBe('{"price": 1.5, "word": "caf\u00e9"}');
    const older = await invoke(spec("python3.11", "python", "app.decimal_and_unicode"));
    expect(older.payload.toString("utf8")).toBe('{"price": 1.5, "word": "caf\\u00e9"}');
  });

  it("fails a result that is not JSON with Runtime.MarshalError", async () => {
    const result = await invoke(python("app.not_json"));
    expect(json(result)).toMatchObject({
      errorType: "Runtime.MarshalError",
      errorMessage: expect.stringMatching(/^Unable to marshal response: Object of type object/),
    });
  });

  it("reports import failures, missing handlers and a failing init as Lambda does, then recovers", async () => {
    const missing = await invoke(python("missing.handler"));
    expect(missing.functionError).toBe("Unhandled");
    expect(json(missing)).toEqual({
      errorMessage: "Unable to import module 'missing': No module named 'missing'",
      errorType: "Runtime.ImportModuleError",
      requestId: "",
      stackTrace: [],
    });
    expect(missing.log).toMatch(
      /\[ERROR\] Runtime\.ImportModuleError: Unable to import module 'missing': No module named 'missing'\nINIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError\nSTART /,
    );
    expect(json(await invoke(python("bad_import.handler")))).toMatchObject({
      errorType: "Runtime.ImportModuleError",
      errorMessage: "Unable to import module 'bad_import': No module named 'not_a_module_anywhere'",
    });
    const notFound = python("app.nope");
    expect(json(await invoke(notFound))).toMatchObject({
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "Handler 'nope' missing on module 'app'",
    });
    expect(json(await invoke(python("app")))).toMatchObject({ errorType: "Runtime.MalformedHandlerName" });
    const failing = await invoke(python("init_error.handler"));
    expect(json(failing)).toMatchObject({
      errorType: "RuntimeError",
      errorMessage: "cannot start",
    });
    // As on Lambda, importlib's frames come first; the function's own frame is last.
    expect((json(failing).stackTrace as string[]).at(-1)).toMatch(/init_error\.py", line 2, in <module>\n/);
    expect(failing.log).toMatch(/^initialising\n\[ERROR\] RuntimeError: cannot start\n/);
    // The same function with its handler fixed works at once.
    expect(json(await invoke({ ...notFound, handler: "app.echo" })).invocations).toBe(1);
  });

  it("reports an exit as Runtime.ExitError, then starts afresh", async () => {
    const fn = python("app.exits");
    const result = await invoke(fn);
    expect(json(result)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringMatching(
        /^RequestId: req-\d+ Error: Runtime exited with error: exit status 3$/,
      ),
    });
    expect(result.log).toContain("exiting now\n");
    expect((await invoke({ ...fn, handler: "app.echo" })).functionError).toBeUndefined();
  });

  it("words a clean exit as Lambda does, and starts a runtime through AWS_LAMBDA_EXEC_WRAPPER", async () => {
    const clean = await invoke(python("app.exits_cleanly"));
    expect(json(clean)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringMatching(
        /^RequestId: req-\d+ Error: Runtime exited without providing a reason$/,
      ),
    });
    const missing = await invoke(
      python("app.echo", { environment: { AWS_LAMBDA_EXEC_WRAPPER: "/idontexist.sh" } }),
    );
    expect(json(missing)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringMatching(
        /^RequestId: req-\d+ Error: Runtime exited with error: exit status 127$/,
      ),
    });
    // A wrapper that runs the runtime it is given: the function works as before.
    const wrapped = await invoke(
      python("app.echo", { environment: { AWS_LAMBDA_EXEC_WRAPPER: "/usr/bin/env" } }),
      {
        n: 1,
      },
    );
    expect(wrapped.functionError).toBeUndefined();
    // A wrapper that closes the runtime's channel first: the runtime speaks HTTP instead.
    const closing = python("app.echo");
    const unchanneled = await invoke(
      { ...closing, environment: { AWS_LAMBDA_EXEC_WRAPPER: `${taskRoot(closing)}/close-fd3.sh` } },
      { n: 2 },
    );
    expect(unchanneled.functionError).toBeUndefined();
    expect(json(unchanneled)).toMatchObject({ event: { n: 2 } });
  });

  it("times out a sleeping function, replaces the environment, and the next invocation works", async () => {
    const fn = python("app.sleep", { timeoutSeconds: 1 });
    const result = await invoke(fn, { seconds: 30 });
    expect(result.functionError).toBe("Unhandled");
    expect(json(result)).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: expect.stringMatching(/^RequestId: req-\d+ Error: Task timed out after 1\.00 seconds$/),
    });
    const next = await invoke(fn, { seconds: 0.01 });
    expect(json(next)).toEqual({ slept: 0.01 });
    expect(next.initDurationMs).toBeGreaterThan(0);
  });

  it("runs every python3.x name on the host's python3", async () => {
    expect(pythonExecutable()).toMatch(/python3/);
    for (const runtime of ["python3.8", "python3.9", "python3.13"]) {
      const result = await invoke(spec(runtime, "python", "pkg.mod.handler"));
      expect(result.functionError).toBeUndefined();
    }
  });
});

describe.concurrent("provided, provided.al2, provided.al2023", () => {
  it("runs a shell-script bootstrap that loops on the Runtime API with curl", async () => {
    const fn = spec("provided.al2023", "provided/echo", "function.handler");
    const first = await invoke(fn, { hello: "world" });
    expect(first.functionError).toBeUndefined();
    expect(first.initDurationMs).toBeGreaterThan(0);
    const body = json(first);
    expect(body).toEqual({
      event: { hello: "world" },
      requestId: expect.stringMatching(/^req-\d+$/),
      // curl reached the Runtime API through the secret path segment.
      runtimeApi: expect.stringMatching(/^127\.0\.0\.1:\d+\/[0-9a-f]{24}$/),
      executionEnv: "unset",
      taskRoot: taskRoot(fn),
      cwd: taskRoot(fn),
      function: fn.name,
    });
    expect(first.log).toMatch(
      /^START RequestId: (req-\d+) Version: \$LATEST\necho \{"hello":"world"\}\nEND /,
    );
    const second = await invoke(fn, { n: 2 });
    expect(second.initDurationMs).toBeUndefined();
    expect(json(second).event).toEqual({ n: 2 });
    for (const runtime of ["provided", "provided.al2"]) {
      expect((await invoke({ ...fn, runtime }, { runtime })).functionError).toBeUndefined();
    }
  });

  it("refuses a missing or non-executable bootstrap as Runtime.InvalidEntrypoint, then recovers", async () => {
    const missing = spec("provided.al2", "provided/missing", "function.handler");
    const result = await invoke(missing);
    expect(result.functionError).toBe("Unhandled");
    expect(json(result)).toEqual({
      errorType: "Runtime.InvalidEntrypoint",
      errorMessage: `Error: Couldn't find valid bootstrap(s): [${join(taskRoot(missing), "bootstrap")}]`,
    });
    expect(result.log).toMatch(
      /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.InvalidEntrypoint\n/,
    );
    const notExecutable = spec("provided", "provided/not-executable", "function.handler");
    expect(json(await invoke(notExecutable))).toEqual({
      errorType: "Runtime.InvalidEntrypoint",
      errorMessage: `Error: fork/exec ${join(taskRoot(notExecutable), "bootstrap")}: permission denied`,
    });
    // The same function, deployed with a working package, runs.
    const fixed = { ...missing, codeDir: join(fixtures, "provided/echo"), codeSha256: "sha-2" };
    expect(json(await invoke(fixed, { ok: true })).event).toEqual({ ok: true });
  });

  it("times out a bootstrap, ending its children too, and the next invocation works", async () => {
    const fn = spec("provided", "provided/echo", "function.sleepy", { timeoutSeconds: 1 });
    const result = await invoke(fn);
    expect(json(result)).toMatchObject({ errorType: "Sandbox.Timedout" });
    const next = await invoke({ ...fn, handler: "function.handler" }, { after: "timeout" });
    expect(json(next).event).toEqual({ after: "timeout" });
  });
});
