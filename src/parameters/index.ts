/**
 * @module parameters
 * Configuration values for functions and stacks: the SSM Parameter Store API (awsJson1_1,
 * `AmazonSSM.*`) and the `AWS::SSM::Parameter` resource type.
 *
 * Invariant: the API and the resource type share one set of rules (names, types, sizes), so a
 * template can never create a parameter the API would have refused.
 */
export { type ParameterProps, parameterResource } from "./parameter-resource.js";
export { parameterMigrations } from "./parameter-schema.js";
export { createSsmService } from "./ssm-service.js";
export { parametersSubsystem } from "./subsystem.js";
