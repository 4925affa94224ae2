/**
 * The queue in the server: its schema. The server makes the one `WorkQueue` itself (every
 * subsystem registers its kinds of work on it), so this entry carries only the migrations.
 */
import type { Subsystem } from "../server/subsystem.js";
import { queueMigrations } from "./queue-schema.js";

export const queueSubsystem: Subsystem = {
  name: "queue",
  migrations: queueMigrations,
  open: () => ({}),
};
