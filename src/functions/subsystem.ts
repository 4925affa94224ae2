/**
 * Functions in the server: the schema, Lambda's API, the function resource types, and the running
 * parts — the isolation chosen once, the environment pool, the concurrency gate, and asynchronous
 * invocation as a kind of work on the queue — with the housekeeping that removes code no function
 * uses.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { issueRoleSession, presignedUrl } from "../identity/index.js";
import type { Subsystem } from "../server/subsystem.js";
import {
  createLambdaService,
  eventInvokeConfigResource,
  functionResources,
  invokeOnBehalf,
  permissionResource,
} from "./api/index.js";
import { AsyncInvoker, asyncEventsOntoQueue, asyncInvokeKind } from "./async/index.js";
import {
  codePackageMigrations,
  localCode,
  packageDownloadUrl,
  packagesDirIn,
  packageUploadPath,
  packageUploadRoute,
  sweepUnusedCode,
} from "./code/index.js";
import { ConcurrencyGate, chooseIsolation, EnvironmentPool, FunctionMetrics } from "./execution/index.js";
import { createInvoke } from "./invoke.js";
import { followChangesToPrestart, type PrestartFollower } from "./prestart.js";
import {
  FunctionCache,
  functionOptionsMigration,
  functionPolicyMigration,
  functionTableMigrations,
  functionUpdateWindowMigration,
} from "./records/index.js";

/**
 * How long a function environment's credentials last: an hour, as a role session does by default
 * on AWS. The pool ends an environment before they could lapse mid-invocation, so a busy function
 * gets fresh credentials (in a new environment) at least every 40 minutes.
 */
const functionCredentialsMs = 3_600_000;

const codeRootIn = (dataDir: string) => join(dataDir, "functions", "code");
/** The account of a function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). */
const accountOfArn = (arn: string) => arn.split(":")[4] ?? "";

/** Asynchronous invocations run at once at most; the rest wait their turn in the queue. */
const asyncConcurrency = 16;

export const functionsSubsystem: Subsystem = {
  name: "functions",
  // The tables, then the step that moved pending events onto the queue (async/ owns it).
  migrations: [
    ...functionTableMigrations,
    asyncEventsOntoQueue,
    ...codePackageMigrations,
    functionOptionsMigration,
    functionPolicyMigration,
    functionUpdateWindowMigration,
  ],
  resourceTypes: ({ store, calls, config }) => {
    // The API a stack's functions are made through. Stacks manage functions and never invoke one.
    const service = createLambdaService({
      store,
      codeRoot: codeRootIn(config.dataDir),
      invoke: () => Promise.reject(new Error("a stack's resources do not invoke functions")),
      accountConcurrency: config.functionConcurrency,
    });
    const made = () => service;
    return [
      ...functionResources({ store, calls, packagesDir: packagesDirIn(config.dataDir), service: made }),
      permissionResource(calls, made),
      eventInvokeConfigResource(calls, made),
    ];
  },
  open: async ({ store, config, installation, logger, metrics, queue, outboxSignal, calls, provided }) => {
    const codeRoot = codeRootIn(config.dataDir);
    // Functions call Jeff's own APIs; the endpoint is known once the server listens, so the
    // environment they get is filled in then (environments only start after that).
    const functionEnvironment: Record<string, string> = {};
    let prestarter: PrestartFollower | undefined;
    const { isolation, fallbackReason } = await chooseIsolation(config.isolation);
    if (fallbackReason)
      logger.warn(
        "functions run as plain processes, without the sandbox: they can read what Jeff's user can read",
        { reason: fallbackReason },
      );
    // Environments' folders (their /tmp when unsandboxed, a slot's code links) that a Jeff which
    // ended without cleaning up left behind: the data directory is this Jeff's alone (its lock).
    const workDir = join(config.dataDir, "functions", "environments");
    await rm(workDir, { recursive: true, force: true });
    const pool = new EnvironmentPool({
      isolation,
      loopbackPorts: config.functionLoopbackPorts,
      idleTimeoutMs: config.functionIdleMs,
      workDir,
      baseEnvironment: functionEnvironment,
      // Each environment signs as a session of its function's role, never as the administrator:
      // a function's code may be anyone's, and its credentials leave with whatever it returns.
      credentialsFor: async (spec) => {
        if (spec.role === undefined) throw new Error(`function ${spec.name} has no execution role`);
        const key = await issueRoleSession(store, {
          accountId: installation.accountId,
          roleArn: spec.role,
          sessionName: roleSessionNameFor(spec.name),
          expiresAt: new Date(Date.now() + functionCredentialsMs),
        });
        return {
          variables: {
            AWS_ACCESS_KEY_ID: key.accessKeyId,
            AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
            AWS_SESSION_TOKEN: key.sessionToken,
          },
          expiresAt: key.expiresAt,
        };
      },
      // The code of a function deployed through another node is unpacked here on first use.
      codeFor: (spec) => localCode(store, codeRoot, accountOfArn(spec.arn), spec.codeSha256),
      sandboxAllow: config.sandboxAllow,
      logger,
      inspect: { functions: config.inspectFunctions, port: config.inspectPort },
      warmSlots: config.functionPoolSlots,
    });
    if (Object.keys(config.sandboxAllow).length > 0) {
      logger.info("function sandboxes widened by configuration", { sandboxAllow: config.sandboxAllow });
    }
    const gate = new ConcurrencyGate(config.functionConcurrency);
    const functionMetrics = new FunctionMetrics(metrics, pool, gate);
    const asyncInvoker = new AsyncInvoker({
      metrics: functionMetrics,
      store,
      queue,
      pool,
      gate,
      logger,
      retryDelayMs: (attempt) => config.functionRetryDelayMs * attempt,
      putOnBus: () => provided.putOnBus,
    });
    // The one path for invocations that start now, synchronous or queued: the Lambda API's Invoke
    // takes it, as any other part of Jeff that invokes a function should.
    const invoke = createInvoke({ store, pool, gate, queue, metrics: functionMetrics, logger });
    // What invocations run, kept between them on this node while no change has been committed.
    const functions = new FunctionCache(store, outboxSignal);
    // The queue starts claiming only after every subsystem's start, so by the first attempt the
    // environments know Jeff's endpoint; it stops (waiting for running attempts) before the pool.
    queue.register(asyncInvokeKind, {
      handle: (job) => asyncInvoker.handle(job),
      concurrency: asyncConcurrency,
    });
    return {
      services: [
        createLambdaService({
          store,
          codeRoot,
          invoke,
          accountConcurrency: config.functionConcurrency,
          updateMs: config.functionUpdateMs,
          functions,
          // As Lambda's is an S3 URL presigned for ten minutes: here the package route, presigned
          // with the caller's own key, at the address the caller reached Jeff by.
          codeLocation: async ({ caller, region, origin, codeSha256 }) =>
            origin === undefined
              ? undefined
              : presignedUrl(store, {
                  accessKeyId: caller.accessKeyId,
                  url: packageDownloadUrl(origin, codeSha256),
                  region,
                  expiresInSeconds: 600,
                }),
        }),
      ],
      // Other services (EventBridge) invoke as AWS's do: queued, on the call path as `Invoke`.
      provides: { invoke, invokeOnBehalf: invokeOnBehalf(store, calls, invoke, functions) },
      // Where `jeff deploy` sends the packages it builds, from this machine or another.
      signedRoutes: { [packageUploadPath]: packageUploadRoute({ store, codeRoot, logger }) },
      // How functions are isolated here: `sandbox`, or `process` where the operator accepted less.
      health: () => ({ isolation: isolation.kind }),
      start: async (endpoint) => {
        functionEnvironment.AWS_ENDPOINT_URL = endpoint;
        // Environments ahead of need, once they can know Jeff's endpoint.
        if (config.prestartEnvironments)
          prestarter = followChangesToPrestart({ store, signal: outboxSignal, pool, logger });
      },
      housekeeping: async () => {
        await sweepUnusedCode(store, codeRoot, () => pool.codeDirsInUse());
      },
      stop: async () => {
        functions.close();
        await prestarter?.stop();
        await pool.close();
      },
    };
  },
};

/**
 * The name of an environment's role session: the function's name, as Lambda names it. A role
 * session's name is 2 to 64 characters, so Lambda names the session of a one-character function
 * `NAME@lambda_function`.
 */
function roleSessionNameFor(functionName: string): string {
  return functionName.length < 2 ? `${functionName}@lambda_function` : functionName;
}
