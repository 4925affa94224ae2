/**
 * @module ops
 * What operators see: structured logs (JSON lines off a terminal, short lines on one) and
 * Prometheus metrics.
 *
 * Invariant: nothing here blocks or throws into a request; a log line or a metric never changes
 * what the caller gets.
 */
export {
  createLogger,
  type LogFields,
  type LogFormat,
  type Logger,
  type LogLevel,
  silentLogger,
} from "./logger.js";
export { Counter, Gauge, Histogram, MetricsRegistry } from "./metrics.js";
