/** The log store's tables. Migration ids 500–599 belong to logs. */
import type { Migration } from "../store/index.js";

export const logMigrations: readonly Migration[] = [
  {
    id: 500,
    name: "logs: log events",
    up: `
      CREATE TABLE log_events (
        event_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        log_group TEXT NOT NULL,
        log_stream TEXT NOT NULL,
        timestamp BIGINT NOT NULL,
        ingestion_time BIGINT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX log_events_by_group ON log_events (account_id, region, log_group, timestamp);
    `,
  },
];
