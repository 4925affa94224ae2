/**
 * What a subsystem is to the server: its migrations, and — once the store is open — the APIs it
 * serves, the resource types templates may use, and the work it does at start, hourly and at stop.
 * `server.ts` loops over the list in `subsystems.ts`; adding a subsystem is a folder and a line.
 */
import type { EventTargets } from "../events/index.js";
import type { Invoke, InvokeOnBehalf, PutOnBus } from "../functions/index.js";
import type { Installation } from "../identity/index.js";
import type { CallPath, OutboxSignal } from "../operations/index.js";
import type { Logger, MetricsRegistry } from "../ops/index.js";
import type { OperationRunner, ServiceDefinition, SignedRoute } from "../protocol/index.js";
import type { WorkQueue } from "../queue/index.js";
import type { Migration, Store } from "../store/index.js";
import type { ResourceHandler, ResourceRegistry } from "../templates/index.js";
import type { ServerConfig } from "./config.js";

/**
 * What subsystems offer each other once open, by name: one running instance for all, so that
 * (for example) every invocation shares the functions subsystem's concurrency and metrics. A
 * subsystem fills its part when it opens; another reads it when it needs it, which may be before
 * or after that (the object is the same, and is complete before any call is served).
 */
export interface Provided {
  /** Invokes a function, synchronously or queued, as Lambda's Invoke does (functions). */
  invoke?: Invoke;
  /** Queues an invocation another service makes, as that service (functions). */
  invokeOnBehalf?: InvokeOnBehalf;
  /** The kinds of target EventBridge delivers to, which other subsystems extend (events). */
  eventTargets?: EventTargets;
  /** Puts another service's event on a bus in the caller's transaction: Lambda's destinations (events). */
  putOnBus?: PutOnBus;
}

/** What resource handlers are built with: the real store and call path, or stand-ins offline. */
export interface ResourceTypeContext {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly calls: OperationRunner;
}

export interface SubsystemContext extends ResourceTypeContext {
  readonly installation: Installation;
  /** The subsystem's own logger. */
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly calls: CallPath;
  readonly outboxSignal: OutboxSignal;
  /**
   * The one durable work queue: a subsystem registers its kinds of work on it when it opens; it
   * starts claiming once every subsystem has started, and stops before any subsystem stops.
   */
  readonly queue: WorkQueue;
  /** What the subsystems offer each other; complete before any stack is recovered or call served. */
  readonly provided: Readonly<Provided>;
  /** Every subsystem's resource types; complete before any stack is recovered or call served. */
  readonly resourceTypes: ResourceRegistry;
}

/** An open subsystem: what it contributes, and its part in the server's life. */
export interface RunningSubsystem {
  readonly services?: readonly ServiceDefinition[];
  /** Jeff's own signed routes under `/_jeff/`. */
  readonly signedRoutes?: Readonly<Record<string, SignedRoute>>;
  /** What it offers the other subsystems. */
  readonly provides?: Readonly<Provided>;
  /** What `/_jeff/health` reports for it. */
  readonly health?: () => Readonly<Record<string, unknown>>;
  /** Before any call is served: finish what a previous process left in progress. */
  recover?(): Promise<void>;
  /** Once Jeff listens at `endpoint`: background work, which may call Jeff's own API. */
  start?(endpoint: string): Promise<void>;
  /** At start and hourly: purges and sweeps. */
  housekeeping?(): Promise<void>;
  /** As soon as the server begins to stop: end what would hold connections open (streams). */
  stopping?(): void;
  /** After the server stopped serving, in the reverse order of opening: wait for work, flush. */
  stop?(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of handlers holds each type's own props
type AnyResourceHandler = ResourceHandler<any>;

export interface Subsystem {
  /** Its folder under `src/`, e.g. `functions`. */
  readonly name: string;
  /** Its schema steps, with ids in its own range of 100. */
  readonly migrations: readonly Migration[];
  /** The resource types it provides to templates; also built offline (`jeff validate`). */
  resourceTypes?(ctx: ResourceTypeContext): readonly AnyResourceHandler[];
  open(ctx: SubsystemContext): RunningSubsystem | Promise<RunningSubsystem>;
}
