/**
 * The operations subsystem in the server: the audit trail's and the outbox's schema, CloudTrail's
 * API, the `/_jeff/events` stream, and the purges of records and events past their time.
 */
import type { Subsystem } from "../server/subsystem.js";
import { purgeAuditEntries, setAuditRetention } from "./audit-trail.js";
import { createCloudTrailService } from "./cloudtrail-service.js";
import { outboxStream } from "./event-stream.js";
import { operationsMigrations } from "./operations-schema.js";
import { purgeOutbox } from "./outbox.js";

/** How long change events stay in the outbox for readers that fell behind. */
const outboxRetentionMs = 86_400_000;

export const operationsSubsystem: Subsystem = {
  name: "operations",
  migrations: operationsMigrations,
  open: async ({ store, config, calls, outboxSignal }) => {
    const retentionMs = config.auditRetentionDays * 86_400_000;
    // The store's delete guard reads the retention period: it must be the configured one.
    await setAuditRetention(store, retentionMs);
    const events = outboxStream(store, outboxSignal);
    return {
      services: [createCloudTrailService({ store, flush: () => calls.flush(), retentionMs })],
      signedRoutes: { "/_jeff/events": events.route },
      housekeeping: async () => {
        await purgeAuditEntries(store, retentionMs, Date.now());
        await purgeOutbox(store, Date.now() - outboxRetentionMs);
      },
      // Streams never finish by themselves: end them, and their readers follow the next Jeff.
      stopping: () => events.closeAll(),
      // Read-only calls' records still gathering are written before the store closes.
      stop: () => calls.flush(),
    };
  },
};
