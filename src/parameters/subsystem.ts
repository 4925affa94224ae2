/** Parameters in the server: the schema, SSM's API and the `AWS::SSM::Parameter` resource type. */
import type { Subsystem } from "../server/subsystem.js";
import { parameterResource } from "./parameter-resource.js";
import { parameterMigrations } from "./parameter-schema.js";
import { createSsmService } from "./ssm-service.js";

export const parametersSubsystem: Subsystem = {
  name: "parameters",
  migrations: parameterMigrations,
  resourceTypes: ({ store, calls }) => {
    const service = createSsmService(store);
    return [parameterResource(calls, () => service)];
  },
  open: ({ store }) => ({ services: [createSsmService(store)] }),
};
