/**
 * Stacks in the server: the schema, CloudFormation's API, and the engine — which resumes or rolls
 * back what a previous process left in progress before any call is served.
 */
import type { Subsystem } from "../server/subsystem.js";
import { createCloudFormationService } from "./cloudformation-service.js";
import { StackEngine } from "./stack-engine.js";
import { stackMigrations } from "./stack-schema.js";

export const stacksSubsystem: Subsystem = {
  name: "stacks",
  migrations: stackMigrations,
  open: ({ store, resourceTypes, logger }) => {
    const engine = new StackEngine(store, resourceTypes, logger);
    return {
      services: [createCloudFormationService(store, engine)],
      recover: () => engine.recover(),
      stop: () => engine.settle(),
    };
  },
};
