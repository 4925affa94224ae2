/**
 * Stacks in the server: the schema, CloudFormation's API, and the engine, whose operations run as
 * jobs of one kind on the server's work queue — so an operation a previous process left unfinished
 * is resumed by the queue, like any interrupted job.
 */
import type { Subsystem } from "../server/subsystem.js";
import { createCloudFormationService } from "./cloudformation-service.js";
import { StackEngine } from "./stack-engine.js";
import { stackOperationKind } from "./stack-operation-job.js";
import { stackMigrations } from "./stack-schema.js";

export const stacksSubsystem: Subsystem = {
  name: "stacks",
  migrations: stackMigrations,
  open: ({ store, resourceTypes, logger, queue, outboxSignal }) => {
    const engine = new StackEngine({ store, registry: resourceTypes, logger, queue, outboxSignal });
    queue.register(stackOperationKind, engine.operationKind);
    return {
      services: [createCloudFormationService(store, engine)],
      // Stacks an older Jeff left in progress get a job; the queue runs it once it starts.
      recover: () => engine.recover(),
      stop: () => engine.settle(),
    };
  },
};
