/** Logs in the server: the schema, CloudWatch Logs' API, the purge, and the last lines at stop. */
import type { Subsystem } from "../server/subsystem.js";
import { logMigrations } from "./log-schema.js";
import { flushLogEvents, purgeLogEvents } from "./log-store.js";
import { createLogsService } from "./logs-service.js";

export const logsSubsystem: Subsystem = {
  name: "logs",
  migrations: logMigrations,
  open: ({ store, config }) => ({
    services: [createLogsService(store)],
    housekeeping: async () => {
      await purgeLogEvents(store, Date.now() - config.logRetentionDays * 86_400_000);
    },
    // Log lines still gathering for their commit are written before the store closes.
    stop: () => flushLogEvents(store),
  }),
};
