/**
 * The composition root: opens the store, makes sure the account exists, wires every subsystem's
 * API into the one edge, and serves it until asked to stop.
 */
import { rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { basename, join } from "node:path";
import { packagesDirIn, sweepUnneeded, sweepUnusedPackages } from "../functions/index.js";
import { CachedCredentials, ensureInstallation, type Installation } from "../identity/index.js";
import { CallPath, OutboxSignal } from "../operations/index.js";
import { createLogger, type Logger, MetricsRegistry } from "../ops/index.js";
import { createEdge, type ServiceDefinition, type SignedRoute } from "../protocol/index.js";
import { nodeIdIn, WorkQueue } from "../queue/index.js";
import { stacksMention } from "../stacks/index.js";
import { type Migration, openStore, type Store } from "../store/index.js";
import { ResourceRegistry } from "../templates/index.js";
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from "./config.js";
import { lockDataDir } from "./data-dir-lock.js";
import { checkDataDirModes } from "./data-dir-modes.js";
import { envVars } from "./env-vars.js";
import { type ServerInfo, serverInfoFile } from "./server-info.js";
import type { Provided, RunningSubsystem, Subsystem } from "./subsystem.js";
import { subsystems as defaultSubsystems, migrationsOf } from "./subsystems.js";

/** Every subsystem's schema steps, applied in id order at start. */
export const allMigrations: readonly Migration[] = migrationsOf(defaultSubsystems);

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly config: ServerConfig;
  readonly installation: Installation;
  readonly store: Store;
  readonly logger: Logger;
  /** Every AWS API it serves, with its declared operations. */
  readonly services: readonly ServiceDefinition[];
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the store. */
  close(): Promise<void>;
}

/**
 * Starts Jeff: `list` is the subsystems it runs (every one by default; a test adds its own).
 */
export async function startServer(
  input: ServerConfigInput,
  log?: Logger,
  list: readonly Subsystem[] = defaultSubsystems,
): Promise<RunningServer> {
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
    const store = await openStore({
      dataDir: config.dataDir,
      migrations: migrationsOf(list),
      url: config.store,
      poolSize: config.storePoolSize,
    });
    cleanups.push(() => store.close());
    const installation = await ensureInstallation(store);
    const metrics = new MetricsRegistry();
    const outboxSignal = new OutboxSignal(store);
    const calls = new CallPath({ store, outboxSignal, logger: logger.child({ subsystem: "operations" }) });
    const queue = new WorkQueue({
      store,
      nodeId: await nodeIdIn(config.dataDir),
      logger: logger.child({ subsystem: "queue" }),
      metrics,
    });
    const resourceTypes = new ResourceRegistry();
    const provided: Provided = {};
    // Each subsystem opens in turn; its stop runs after the server stopped serving, in reverse.
    const running: Array<{ parts: RunningSubsystem; logger: Logger }> = [];
    for (const subsystem of list) {
      const own = logger.child({ subsystem: subsystem.name });
      const context = {
        config,
        store,
        installation,
        logger: own,
        metrics,
        calls,
        outboxSignal,
        queue,
        provided,
        resourceTypes,
      };
      for (const handler of subsystem.resourceTypes?.(context) ?? []) resourceTypes.register(handler);
      const parts = await subsystem.open(context);
      Object.assign(provided, parts.provides);
      running.push({ parts, logger: own });
      if (parts.stop) cleanups.push(parts.stop);
    }
    // Operations a previous process left unfinished are resumed before anyone can start new ones.
    for (const { parts } of running) await parts.recover?.();
    const services: ServiceDefinition[] = running.flatMap(({ parts }) => parts.services ?? []);
    const signedRoutes: Record<string, SignedRoute> = Object.assign(
      {},
      ...running.map(({ parts }) => parts.signedRoutes ?? {}),
    );
    let stopping = false;
    const internal = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
      if (req.method !== "GET") return false;
      if (path === "/_jeff/health") {
        const body = JSON.stringify(
          Object.assign(
            { status: stopping ? "stopping" : "ok", accountId: installation.accountId },
            ...running.map(({ parts }) => parts.health?.() ?? {}),
          ),
        );
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
      calls,
      signedRoutes,
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
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "EADDRINUSE"
            ? new Error(
                `port ${config.port} on ${config.host} is taken by another program: pick another with --port (or ${envVars.port}), or --port 0 for any free one`,
              )
            : error,
        ),
      );
      server.listen(config.port, config.host, () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
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
    // Housekeeping at start and hourly: each subsystem's purges and sweeps, and the packages that
    // no function runs and no stack names (the CLI sends them for stacks; functions unpack them).
    const housekeeping = async () => {
      for (const { parts, logger: own } of running) {
        await parts.housekeeping?.().catch((error: unknown) => own.warn("housekeeping failed", { error }));
      }
      await sweepUnusedPackages(store, (location) => stacksMention(store, location)).catch((error: unknown) =>
        logger.warn("could not remove unused packages", { error }),
      );
      // Packages earlier CLIs wrote to disk, for the stacks that still name them.
      await sweepUnneeded(packagesDirIn(config.dataDir), (path) =>
        stacksMention(store, basename(path)),
      ).catch((error: unknown) => logger.warn("could not remove unused packages", { error }));
    };
    await housekeeping();
    const purgeTimer = setInterval(() => void housekeeping(), 3_600_000);
    purgeTimer.unref();
    cleanups.push(async () => clearInterval(purgeTimer));
    for (const { parts } of running) await parts.start?.(url);
    // Background work runs once every subsystem has started; it stops before any subsystem does.
    await queue.start();
    cleanups.push(() => queue.stop());
    logger.info("jeff is serving", { url, dataDir: config.dataDir, accountId: installation.accountId });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        stopping = true;
        logger.info("shutting down", { inFlight: edge.inFlight });
        for (const { parts } of running) parts.stopping?.();
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
    return { url, port, config, installation, store, logger, services, close };
  } catch (error) {
    await undo();
    throw error;
  }
}
