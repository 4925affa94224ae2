/** Per-function metrics, named after Lambda's CloudWatch metrics: invocations, errors, throttles, durations, environments. */
import type { MetricsRegistry } from "../../ops/index.js";
import type { ConcurrencyGate } from "./concurrency-gate.js";
import type { EnvironmentPool, InvocationResult } from "./environment-pool.js";

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export class FunctionMetrics {
  private readonly invocations;
  private readonly errors;
  private readonly throttles;
  private readonly destinationFailures;
  private readonly duration;
  private readonly initDuration;

  constructor(registry: MetricsRegistry, pool: EnvironmentPool, gate: ConcurrencyGate) {
    this.invocations = registry.counter(
      "jeff_function_invocations_total",
      "Function invocations, by function and invocation type.",
    );
    this.errors = registry.counter(
      "jeff_function_errors_total",
      "Invocations that ended in a function error.",
    );
    this.throttles = registry.counter(
      "jeff_function_throttles_total",
      "Synchronous invocations refused over a concurrency limit.",
    );
    this.destinationFailures = registry.counter(
      "jeff_function_destination_delivery_failures_total",
      "Asynchronous invocation records their destination did not take (Lambda's DestinationDeliveryFailures).",
    );
    this.duration = registry.histogram(
      "jeff_function_duration_seconds",
      "Invocation duration, as in the REPORT line.",
      durationBuckets,
    );
    this.initDuration = registry.histogram(
      "jeff_function_init_duration_seconds",
      "Cold-start init duration.",
      durationBuckets,
    );
    registry.gauge("jeff_function_concurrent_executions", "Invocations running now.", () => gate.inFlight());
    registry.gauge(
      "jeff_function_environments_prestarted_total",
      "Environments started ahead of need (--prestart) whose init has run, since Jeff started.",
      () => pool.stats().prestarted,
    );
    registry.gauge(
      "jeff_function_environments_from_pool_total",
      "Environments that began as a pooled slot (--warm-pool): cold starts without a process start, since Jeff started.",
      () => pool.stats().fromSlots,
    );
    registry.gauge(
      "jeff_function_pool_slots",
      "Pooled slots not yet given a function, by runtime, memory, /tmp size and state.",
      () =>
        pool.stats().slots.flatMap(({ runtime, memoryMb, tmpMb, ready, starting }) => {
          const kind = { runtime, memory: String(memoryMb), tmp: String(tmpMb) };
          return [
            [{ ...kind, state: "ready" }, ready] as const,
            [{ ...kind, state: "starting" }, starting] as const,
          ];
        }),
    );
    registry.gauge("jeff_function_environments", "Execution environments, by state.", () => {
      const { busy, idle } = pool.stats();
      return [
        [{ state: "busy" }, busy],
        [{ state: "idle" }, idle],
      ];
    });
    registry.gauge(
      "jeff_function_environments_by_function",
      "Execution environments per function, by state.",
      () =>
        Object.entries(pool.stats().byFunction).flatMap(([arn, counts]) => {
          const fn = arn.slice(arn.lastIndexOf(":") + 1);
          return [
            [{ function: fn, state: "busy" }, counts.busy] as const,
            [{ function: fn, state: "idle" }, counts.idle] as const,
          ];
        }),
    );
  }

  invoked(functionName: string, type: "RequestResponse" | "Event", result: InvocationResult): void {
    const labels = { function: functionName };
    this.invocations.inc({ function: functionName, type });
    if (result.functionError) this.errors.inc(labels);
    this.duration.observe(labels, result.durationMs / 1000);
    if (result.initDurationMs !== undefined) this.initDuration.observe(labels, result.initDurationMs / 1000);
  }

  throttled(functionName: string): void {
    this.throttles.inc({ function: functionName });
  }

  destinationDeliveryFailed(functionName: string): void {
    this.destinationFailures.inc({ function: functionName });
  }
}
