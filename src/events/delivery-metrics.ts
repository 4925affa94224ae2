/** What a rule's deliveries did, per rule: matched, delivered, failed, retried, dead-lettered, dropped, throttled. */
import type { MetricsRegistry } from "../ops/index.js";

export class DeliveryMetrics {
  private readonly matchedTotal;
  private readonly deliveredTotal;
  private readonly failedTotal;
  private readonly retriedTotal;
  private readonly deadLetteredTotal;
  private readonly droppedTotal;
  private readonly throttledTotal;

  constructor(registry: MetricsRegistry) {
    this.matchedTotal = registry.counter(
      "jeff_events_matched_total",
      "Events matched by a rule, per target.",
    );
    this.deliveredTotal = registry.counter(
      "jeff_events_delivered_total",
      "Events delivered to a rule's target.",
    );
    this.failedTotal = registry.counter(
      "jeff_events_delivery_failures_total",
      "Delivery attempts that failed.",
    );
    this.retriedTotal = registry.counter(
      "jeff_events_delivery_retries_total",
      "Failed deliveries to be tried again.",
    );
    this.deadLetteredTotal = registry.counter(
      "jeff_events_dead_lettered_total",
      "Deliveries that ended in the target's dead-letter queue.",
    );
    this.droppedTotal = registry.counter(
      "jeff_events_dropped_total",
      "Deliveries that ended without a dead-letter queue to take them.",
    );
    this.throttledTotal = registry.counter(
      "jeff_events_delivery_throttled_total",
      "Deliveries put back to wait for their API destination's InvocationRateLimitPerSecond.",
    );
  }

  matched(rule: string, by: number): void {
    this.matchedTotal.inc({ rule }, by);
  }
  delivered(rule: string): void {
    this.deliveredTotal.inc({ rule });
  }
  failed(rule: string): void {
    this.failedTotal.inc({ rule });
  }
  retried(rule: string): void {
    this.retriedTotal.inc({ rule });
  }
  deadLettered(rule: string): void {
    this.deadLetteredTotal.inc({ rule });
  }
  dropped(rule: string): void {
    this.droppedTotal.inc({ rule });
  }
  throttled(rule: string): void {
    this.throttledTotal.inc({ rule });
  }
}
