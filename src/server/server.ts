/**
 * The composition root: opens the store, makes sure the account exists, wires every subsystem's
 * API into the one edge, and serves it until asked to stop.
 */
import { rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { basename, join } from "node:path";
import {
  AsyncInvoker,
  ConcurrencyGate,
  chooseIsolation,
  createLambdaService,
  EnvironmentPool,
  FunctionMetrics,
  functionMigrations,
  packagesDirIn,
  sweepUnneeded,
  sweepUnusedCode,
} from "../functions/index.js";
import {
  CachedCredentials,
  createStsService,
  ensureInstallation,
  type Installation,
  identityMigrations,
  issueRoleSession,
  purgeExpiredKeys,
} from "../identity/index.js";
import { createLogsService, flushLogEvents, logMigrations, purgeLogEvents } from "../logs/index.js";
import { createLogger, type Logger, MetricsRegistry } from "../ops/index.js";
import { createSsmService, parameterMigrations } from "../parameters/index.js";
import { createEdge, type ServiceDefinition } from "../protocol/index.js";
import { queueMigrations } from "../queue/index.js";
import { createCloudFormationService, StackEngine, stackMigrations, stacksMention } from "../stacks/index.js";
import { type Migration, openStore, type Store } from "../store/index.js";
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from "./config.js";
import { lockDataDir } from "./data-dir-lock.js";
import { checkDataDirModes } from "./data-dir-modes.js";
import { createResourceRegistry } from "./resource-types.js";
import { type ServerInfo, serverInfoFile } from "./server-info.js";

/**
 * How long a function environment's credentials last: an hour, as a role session does by default
 * on AWS. The pool ends an environment before they could lapse mid-invocation, so a busy function
 * gets fresh credentials (in a new environment) at least every 40 minutes.
 */
const functionCredentialsMs = 3_600_000;

/** Every subsystem's schema steps, applied in id order at start. */
export const allMigrations: readonly Migration[] = [
  ...identityMigrations,
  ...stackMigrations,
  ...parameterMigrations,
  ...functionMigrations,
  ...logMigrations,
  ...queueMigrations,
];

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly config: ServerConfig;
  readonly installation: Installation;
  readonly store: Store;
  readonly logger: Logger;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the store. */
  close(): Promise<void>;
}

export async function startServer(input: ServerConfigInput, log?: Logger): Promise<RunningServer> {
  const config = parseServerConfig(input);
  const logger =
    log ??
    createLogger({
      level: config.logLevel,
      format: config.logFormat,
      colour: process.stderr.isTTY === true && !process.env.NO_COLOR,
    });
  await checkDataDirModes(config.dataDir);
  const lock = await lockDataDir(config.dataDir);
  const cleanups: Array<() => Promise<void>> = [() => lock.release()];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const store = await openStore({ dataDir: config.dataDir, migrations: allMigrations });
    cleanups.push(() => store.close());
    // Log lines still gathering for their commit are written before the store closes.
    cleanups.push(() => flushLogEvents(store));
    const installation = await ensureInstallation(store);
    const metrics = new MetricsRegistry();
    const codeRoot = join(config.dataDir, "functions", "code");
    const stacks = new StackEngine(
      store,
      createResourceRegistry({
        store,
        codeRoot,
        packagesDir: packagesDirIn(config.dataDir),
        accountConcurrency: config.functionConcurrency,
      }),
      logger.child({ subsystem: "stacks" }),
    );
    cleanups.push(() => stacks.settle());
    // Operations a previous process left unfinished are resumed before anyone can start new ones.
    await stacks.recover();
    // Functions call Jeff's own APIs; the endpoint is known once the server listens, so the
    // environment they get is filled in then (environments only start after that).
    const functionEnvironment: Record<string, string> = {};
    const { isolation, fallbackReason } = await chooseIsolation(config.isolation);
    if (fallbackReason)
      logger.warn(
        "functions run as plain processes, without the sandbox: they can read what Jeff's user can read",
        { reason: fallbackReason },
      );
    const pool = new EnvironmentPool({
      isolation,
      loopbackPorts: config.functionLoopbackPorts,
      idleTimeoutMs: config.functionIdleMs,
      workDir: join(config.dataDir, "functions", "environments"),
      baseEnvironment: functionEnvironment,
      // Each environment signs as a session of its function's role, never as the administrator:
      // a function's code may be anyone's, and its credentials leave with whatever it returns.
      credentialsFor: async (spec) => {
        if (spec.role === undefined) throw new Error(`function ${spec.name} has no execution role`);
        const key = await issueRoleSession(store, {
          accountId: installation.accountId,
          roleArn: spec.role,
          sessionName: spec.name,
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
      sandboxAllow: config.sandboxAllow,
      logger: logger.child({ subsystem: "functions" }),
      inspect: { functions: config.inspectFunctions, port: config.inspectPort },
    });
    if (Object.keys(config.sandboxAllow).length > 0) {
      logger.info("function sandboxes widened by configuration", { sandboxAllow: config.sandboxAllow });
    }
    cleanups.push(() => pool.close());
    const gate = new ConcurrencyGate(config.functionConcurrency);
    const functionMetrics = new FunctionMetrics(metrics, pool, gate);
    const asyncInvoker = new AsyncInvoker({
      metrics: functionMetrics,
      store,
      pool,
      gate,
      logger: logger.child({ subsystem: "functions" }),
      retryDelayMs: (attempt) => config.functionRetryDelayMs * attempt,
    });
    const services: ServiceDefinition[] = [
      createStsService(store),
      createSsmService(store),
      createLogsService(store),
      createCloudFormationService(store, stacks),
      createLambdaService({
        store,
        codeRoot,
        pool,
        gate,
        asyncInvoker,
        metrics: functionMetrics,
        logger: logger.child({ subsystem: "functions" }),
        accountConcurrency: config.functionConcurrency,
      }),
    ];
    let stopping = false;
    const internal = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
      if (req.method !== "GET") return false;
      if (path === "/_jeff/health") {
        const body = JSON.stringify({
          status: stopping ? "stopping" : "ok",
          accountId: installation.accountId,
          // How functions are isolated here: `sandbox`, or `process` where the operator accepted less.
          isolation: isolation.kind,
        });
        res.writeHead(stopping ? 503 : 200, { "content-type": "application/json" }).end(body);
        return true;
      }
      if (path === "/_jeff/metrics") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metrics.render());
        return true;
      }
      return false;
    };
    const edge = createEdge({
      services,
      credentials: new CachedCredentials(store),
      logger,
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      internal,
    });
    metrics.gauge("jeff_api_requests_in_flight", "API requests being served now.", () => edge.inFlight);
    const server = createServer(
      { keepAliveTimeout: 65_000, requestTimeout: 60_000, headersTimeout: 20_000 },
      (req, res) => {
        if (stopping) res.setHeader("connection", "close");
        edge.handle(req, res);
      },
    );
    server.on("clientError", (error, socket) => edge.handleClientError(error, socket as Socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    Object.assign(functionEnvironment, { AWS_ENDPOINT_URL: url });
    const infoPath = join(config.dataDir, serverInfoFile);
    const info: ServerInfo = {
      pid: process.pid,
      url,
      port,
      region: config.region,
      startedAt: new Date().toISOString(),
    };
    await writeFile(infoPath, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    cleanups.push(() => rm(infoPath, { force: true }));
    // Housekeeping at start and hourly: logs past logRetentionDays, code folders no function
    // uses, packages no stack names, temporary credentials that have expired.
    const housekeeping = async () => {
      await purgeExpiredKeys(store, new Date()).catch((error: unknown) =>
        logger.warn("could not purge expired credentials", { error }),
      );
      await purgeLogEvents(store, Date.now() - config.logRetentionDays * 86_400_000).catch((error: unknown) =>
        logger.warn("could not purge old log events", { error }),
      );
      await sweepUnusedCode(store, codeRoot, () => pool.codeDirsInUse()).catch((error: unknown) =>
        logger.warn("could not remove unused function code", { error }),
      );
      await sweepUnneeded(packagesDirIn(config.dataDir), (path) =>
        stacksMention(store, basename(path)),
      ).catch((error: unknown) => logger.warn("could not remove unused packages", { error }));
    };
    await housekeeping();
    const purgeTimer = setInterval(() => void housekeeping(), 3_600_000);
    purgeTimer.unref();
    cleanups.push(async () => clearInterval(purgeTimer));
    // Events run once functions can reach Jeff's endpoint; stopping waits for those running.
    await asyncInvoker.start();
    cleanups.push(() => asyncInvoker.stop());
    logger.info("jeff is serving", { url, dataDir: config.dataDir, accountId: installation.accountId });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        stopping = true;
        logger.info("shutting down", { inFlight: edge.inFlight });
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections become idle as their last responses go out; close each then,
        // rather than waiting for the grace period to cut them.
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 25);
        const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
        await closed;
        clearInterval(idle);
        clearTimeout(grace);
        await undo();
        logger.info("stopped");
      })();
      return closing;
    };
    return { url, port, config, installation, store, logger, close };
  } catch (error) {
    await undo();
    throw error;
  }
}
