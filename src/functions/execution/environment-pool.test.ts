// Real processes, no mocks: each test starts Node runtime processes through the pool. No test
// depends on how fast they start: waits are for conditions, with deadlines only to fail.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  credentialMarginMs,
  EnvironmentPool,
  type FunctionSpec,
  type InvocationResult,
} from "./environment-pool.js";

const fixtures = resolve(import.meta.dirname, "../../../test/fixtures/functions");
const workDir = mkdtempSync(join(tmpdir(), "jeff-pool-"));
const poolOptions = {
  workDir,
  baseEnvironment: { AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ACCESS_KEY_ID: "AKIDTEST" },
};
// Environments outlive every gap between one test's invocations, however slow the machine, so
// "the next invocation is warm" never depends on timing; afterAll ends them.
const pool = new EnvironmentPool({ ...poolOptions, idleTimeoutMs: 10 * 60_000 });
// Going back to zero is tested with a pool whose environments end soon after their work.
const shortLived = new EnvironmentPool({ ...poolOptions, idleTimeoutMs: 300 });
afterAll(async () => {
  await Promise.all([pool.close(), shortLived.close()]);
  rmSync(workDir, { recursive: true, force: true });
});

let functions = 0;
/** Each call names a new function, so tests running at once never share environments. */
function spec(dir: string, handler: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = `fn-${++functions}`;
  return {
    name,
    arn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    version: "$LATEST",
    runtime: "nodejs20.x",
    handler,
    codeDir: join(fixtures, dir),
    codeSha256: "sha-1",
    timeoutSeconds: 3,
    memoryMb: 128,
    environment: { GREETING: "hi" },
    ...overrides,
  };
}

let requests = 0;
function invoke(
  fn: FunctionSpec,
  event: unknown = {},
  extra: { clientContext?: string } = {},
  through: EnvironmentPool = pool,
) {
  return through.invoke(fn, {
    payload: Buffer.from(JSON.stringify(event)),
    requestId: `req-${++requests}`,
    ...extra,
  });
}

const json = (result: InvocationResult) =>
  JSON.parse(result.payload.toString("utf8")) as Record<string, unknown>;

describe.concurrent("invocations", () => {
  it("runs an ESM handler with Lambda's context and environment, then reuses the environment", async () => {
    const fn = spec("esm", "index.echo");
    const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString("base64");
    const first = await invoke(fn, { hello: "world" }, { clientContext });
    expect(first.functionError).toBeUndefined();
    expect(first.initDurationMs).toBeGreaterThan(0);
    const body = json(first);
    expect(body.event).toEqual({ hello: "world" });
    expect(body.context).toMatchObject({
      awsRequestId: expect.stringMatching(/^req-\d+$/),
      functionName: fn.name,
      functionVersion: "$LATEST",
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: "128",
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      clientContext: { custom: { a: 1 } },
    });
    const env = body.env as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(
      [
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
        "PWD",
        "SHLVL",
        "TMPDIR",
        "TZ",
        "_HANDLER",
      ].sort(),
    );
    expect(env).toMatchObject({
      AWS_REGION: "eu-west-1",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
      LAMBDA_TASK_ROOT: fn.codeDir,
      _HANDLER: "index.echo",
      TZ: ":UTC",
      GREETING: "hi",
    });
    expect(first.log).toMatch(
      /^START RequestId: req-\d+ Version: \$LATEST\n.*\tINFO\techo \{"hello":"world"\}\nEND RequestId: req-\d+\nREPORT RequestId: req-\d+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$/,
    );

    const second = await invoke(fn, { n: 2 });
    expect(second.initDurationMs).toBeUndefined();
    expect(second.log).not.toContain("Init Duration");
    expect(json(second).invocations).toBe(2);
  });

  it("runs CommonJS handlers, nested paths and callback-style handlers", async () => {
    expect(json(await invoke(spec("cjs", "index.handler"), { name: "jeff" }))).toEqual({
      message: "hello, jeff",
      moduleType: "object",
    });
    const nested = await invoke(spec("cjs", "lib/app.nested.handler"));
    expect(nested.payload.toString()).toBe('"nested handler in lib/app.js"');
    expect(json(await invoke(spec("esm", "index.callback"), { value: 7 }))).toEqual({ callback: 7 });
  });

  it("puts each invocation's output in its own log, whether or not the ones around it wrote any", async () => {
    const fn = spec("esm", "index.says");
    const big = `${"x".repeat(200_000)}\n`;
    const steps = [
      {},
      { out: "one\n" },
      {},
      {},
      { err: "two" },
      {},
      { fd: "four\n" },
      {},
      { out: big, err: "three" },
      {},
    ];
    for (const event of steps) {
      const { log } = await invoke(fn, event);
      const body = log.slice(log.indexOf("\n") + 1, log.indexOf("END RequestId"));
      // The two pipes interleave as they please; what matters is that all of it, and nothing
      // else, is here.
      const errLine = event.err
        ? new RegExp(`^[^\t\n]+\\treq-\\d+\\tERROR\\t${event.err}\\n`, "m")
        : undefined;
      const rest = errLine ? body.replace(errLine, "") : body;
      if (errLine) expect(body).toMatch(errLine);
      expect(rest).toBe(event.out ?? event.fd ?? "");
    }
  });

  it("gives each environment its own writable tmp folder", async () => {
    const result = await invoke(spec("esm", "index.tmp"));
    expect(result.payload.toString()).toBe('"kept in /tmp"');
  });

  it("reports a thrown error in Lambda's shape and keeps the environment", async () => {
    const fn = spec("esm", "index.throws");
    const result = await invoke(fn);
    expect(result.functionError).toBe("Unhandled");
    const body = json(result);
    expect(body).toMatchObject({ errorType: "TypeError", errorMessage: "the handler failed" });
    expect((body.trace as string[])[0]).toBe("TypeError: the handler failed");
    expect(result.log).toContain("\tERROR\tInvoke Error \t");
    const again = await invoke(fn);
    expect(again.initDurationMs).toBeUndefined();
  });

  it("fails a result that is not JSON", async () => {
    const result = await invoke(spec("esm", "index.circular"));
    expect(result.functionError).toBe("Unhandled");
    expect(json(result)).toMatchObject({ errorType: "TypeError" });
  });

  it("times out, replaces the environment, and the next invocation works", async () => {
    const fn = spec("esm", "index.sleep", { timeoutSeconds: 1 });
    const result = await invoke(fn, { ms: 5000 });
    expect(result.functionError).toBe("Unhandled");
    expect(json(result)).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: expect.stringMatching(/^RequestId: req-\d+ Error: Task timed out after 1\.00 seconds$/),
    });
    expect(result.log).toMatch(/Z req-\d+ Task timed out after 1\.00 seconds\n/);
    expect(result.log).toContain("\tStatus: timeout");
    const next = await invoke(fn, { ms: 1 });
    expect(json(next)).toEqual({ slept: 1 });
    expect(next.initDurationMs).toBeGreaterThan(0);
  });

  it("reports process.exit as Runtime.ExitError, then starts afresh", async () => {
    const fn = spec("esm", "index.exit");
    const result = await invoke(fn);
    expect(result.functionError).toBe("Unhandled");
    expect(json(result)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringMatching(
        /^RequestId: req-\d+ Error: Runtime exited with error: exit status 1$/,
      ),
    });
    expect(result.log).toContain("\tERROR\texiting now\n");
    const echo = await invoke({ ...fn, handler: "index.echo" });
    expect(echo.functionError).toBeUndefined();
  });

  it("reports running out of memory as Runtime.OutOfMemory", async () => {
    // Allocating past the limit takes long on a busy machine: the timeout must not win the race.
    const fn = spec("esm", "index.hog", { timeoutSeconds: 120 });
    const result = await invoke(fn);
    expect(result.functionError).toBe("Unhandled");
    expect(json(result)).toMatchObject({
      errorType: "Runtime.OutOfMemory",
      errorMessage: expect.stringMatching(/^RequestId: req-\d+ Error: Runtime exited with error: /),
    });
    expect((await invoke({ ...fn, handler: "index.echo" })).functionError).toBeUndefined();
  });

  it("reports a missing module, a missing export and a failing init as Lambda does", async () => {
    const missing = await invoke(spec("cjs", "missing.handler"));
    expect(missing.functionError).toBe("Unhandled");
    expect(json(missing)).toMatchObject({
      errorType: "Runtime.ImportModuleError",
      errorMessage: expect.stringMatching(/^Error: Cannot find module 'missing'/),
    });
    const notExported = await invoke(spec("esm", "index.nope"));
    expect(json(notExported)).toMatchObject({
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "index.nope is undefined or not exported",
    });
    const malformed = await invoke(spec("esm", "index"));
    expect(json(malformed)).toMatchObject({
      errorType: "Runtime.MalformedHandlerName",
      errorMessage: "Bad handler",
    });
    const failing = await invoke(spec("init-error", "index.handler"));
    expect(json(failing)).toMatchObject({ errorType: "Error", errorMessage: "cannot start" });
    expect(failing.initDurationMs).toBeGreaterThan(0);
    expect(failing.log).toMatch(
      /\tINFO\tinitialising\n(.|\n)*INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Error\nSTART /,
    );
  });

  it("sandboxes the function: no reading outside its code, no writing outside its tmp, no processes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "jeff-data-"));
    writeFileSync(join(dataDir, "secret.txt"), "secret");
    const event = { path: join(dataDir, "secret.txt"), writePath: join(dataDir, "planted.txt") };
    const denied = { read: "ERR_ACCESS_DENIED", write: "ERR_ACCESS_DENIED", spawn: "ERR_ACCESS_DENIED" };
    expect(json(await invoke(spec("esm", "index.forbidden"), event))).toEqual(denied);
    // Another function's code, and NODE_OPTIONS trying to lift the restrictions.
    const sneaky = spec("esm", "index.forbidden", {
      environment: { NODE_OPTIONS: "--allow-child-process --allow-fs-read=/ --enable-source-maps" },
    });
    const other = { ...event, path: join(fixtures, "cjs/index.js") };
    expect(json(await invoke(sneaky, other))).toEqual(denied);
  });

  it("refuses runtimes it cannot run yet", async () => {
    await expect(invoke(spec("esm", "index.echo", { runtime: "java21" }))).rejects.toThrow(/java21/);
  });
});

describe("scaling", () => {
  it("runs parallel invocations in separate environments and goes back to zero when idle", async () => {
    const fn = spec("esm", "index.sleep");
    const running = Array.from({ length: 5 }, () => invoke(fn, { ms: 300 }, {}, shortLived));
    // Each invocation takes an environment of its own: none is free while the others run.
    await until(() => (shortLived.stats().byFunction[fn.arn]?.busy ?? 0) === 5, "five busy environments");
    expect(shortLived.stats().byFunction[fn.arn]).toEqual({ busy: 5, idle: 0 });
    const results = await Promise.all(running);
    expect(results.map((r) => json(r))).toEqual(Array(5).fill({ slept: 300 }));
    expect(results.every((r) => r.initDurationMs !== undefined)).toBe(true);
    // Each environment is now idle, or already ended if the machine was slow to hand back the rest.
    expect(shortLived.stats().busy).toBe(0);
    await until(() => shortLived.stats().total === 0, "the idle environments to end");
    expect(shortLived.stats()).toEqual({
      total: 0,
      busy: 0,
      idle: 0,
      prestarted: 0,
      slots: [],
      fromSlots: 0,
      byFunction: {},
    });
  });

  it("starts an environment ahead of need, and the first invocation runs in it, its init already done", async () => {
    const fn = spec("esm", "index.echo", { environment: { AHEAD: "1" } });
    const before = pool.stats().prestarted;
    await pool.prestart(fn);
    expect(pool.stats().prestarted).toBe(before + 1);
    expect(pool.stats().byFunction[fn.arn]).toEqual({ busy: 0, idle: 1 });
    // One ahead is enough: a second request while one is idle starts nothing.
    await pool.prestart(fn);
    expect(pool.stats().byFunction[fn.arn]).toEqual({ busy: 0, idle: 1 });
    const first = await invoke(fn);
    expect(first.initDurationMs).toBeUndefined();
    expect(json(first).invocations).toBe(1);
  });

  it("never reuses an environment for other code", async () => {
    const fn = spec("esm", "index.echo");
    await invoke(fn);
    const changed = await invoke({ ...fn, codeSha256: "sha-2" });
    expect(changed.initDurationMs).toBeGreaterThan(0);
    expect(json(changed).invocations).toBe(1);
  });
});

describe("credentials and the operator's sandbox setting", () => {
  /** How long each function's credentials live, by name; an hour unless a test says otherwise. */
  const lifetimes = new Map<string, number>();
  let issued = 0;
  const operated = new EnvironmentPool({
    idleTimeoutMs: 60_000,
    workDir,
    baseEnvironment: { AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ACCESS_KEY_ID: "overridden" },
    credentialsFor: async (fn) => {
      issued++;
      return {
        variables: {
          AWS_ACCESS_KEY_ID: `ASIATEST${issued}`,
          AWS_SECRET_ACCESS_KEY: "secret",
          AWS_SESSION_TOKEN: `token-${issued}-${fn.role}`,
        },
        expiresAt: new Date(Date.now() + (lifetimes.get(fn.name) ?? 3_600_000)),
      };
    },
    sandboxAllow: { "allowed-spawner": ["child-process"] },
  });
  afterAll(() => operated.close());

  const run = async (fn: FunctionSpec, event: unknown = {}) => {
    const result = await operated.invoke(fn, {
      payload: Buffer.from(JSON.stringify(event)),
      requestId: `req-${++requests}`,
    });
    return { result, body: json(result), env: json(result).env as Record<string, string> };
  };
  const withRole = (fn: FunctionSpec) => ({ ...fn, role: "arn:aws:iam::123456789012:role/runner" });

  it("gives each environment credentials of its own, over the base variables", async () => {
    const fn = withRole(spec("esm", "index.echo"));
    const first = await run(fn);
    expect(first.env).toMatchObject({
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ACCESS_KEY_ID: expect.stringMatching(/^ASIATEST\d+$/),
      AWS_SESSION_TOKEN: expect.stringContaining("role/runner"),
    });
    const warm = await run(fn);
    expect(warm.result.initDurationMs).toBeUndefined();
    expect(warm.env.AWS_ACCESS_KEY_ID).toBe(first.env.AWS_ACCESS_KEY_ID);
    const parallel = await Promise.all([run(fn), run(fn)]);
    expect(new Set(parallel.map((p) => p.env.AWS_ACCESS_KEY_ID)).size).toBe(2);
  });

  it("never starts an invocation whose timeout could outlast the environment's credentials", async () => {
    const fn = withRole(spec("esm", "index.echo"));
    // Fresh credentials that would lapse within a timeout plus the margin: used once, never again.
    lifetimes.set(fn.name, credentialMarginMs);
    const first = await run(fn);
    const second = await run(fn);
    expect(second.result.initDurationMs).toBeGreaterThan(0);
    expect(second.env.AWS_ACCESS_KEY_ID).not.toBe(first.env.AWS_ACCESS_KEY_ID);
    await until(() => operated.stats().byFunction[fn.arn] === undefined, "the environment to end");
  });

  it("ends an idle environment once its credentials could not see another invocation", async () => {
    const fn = withRole(spec("esm", "index.echo"));
    lifetimes.set(fn.name, fn.timeoutSeconds * 1000 + credentialMarginMs + 1_500);
    await run(fn);
    expect(operated.stats().byFunction[fn.arn]).toEqual({ busy: 0, idle: 1 });
    // Long before the pool's minute of idleness.
    await until(() => operated.stats().byFunction[fn.arn] === undefined, "the environment to end");
  });

  it("widens the sandbox only for the functions the operator names", async () => {
    const event = { path: "/etc/hostname", writePath: join(workDir, "planted.txt") };
    const allowed = await run(withRole(spec("esm", "index.forbidden", { name: "allowed-spawner" })), event);
    expect(allowed.body).toMatchObject({ spawn: "allowed", read: "ERR_ACCESS_DENIED" });
    const other = await run(withRole(spec("esm", "index.forbidden")), event);
    expect(other.body).toMatchObject({ spawn: "ERR_ACCESS_DENIED" });
  });
});

/** Waits for `condition`; the deadline is generous, only there to fail rather than hang. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
