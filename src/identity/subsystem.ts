/** Identity in the server: its schema, STS, and the purge of expired temporary credentials. */
import type { Subsystem } from "../server/subsystem.js";
import { purgeExpiredKeys } from "./access-keys.js";
import { identityMigrations } from "./identity-schema.js";
import { createStsService } from "./sts-service.js";

export const identitySubsystem: Subsystem = {
  name: "identity",
  migrations: identityMigrations,
  open: ({ store }) => ({
    services: [createStsService()],
    housekeeping: async () => {
      await purgeExpiredKeys(store, new Date());
    },
  }),
};
