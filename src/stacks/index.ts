/**
 * @module stacks
 * Templates applied as named stacks: the stack engine (create, update, delete in dependency order,
 * rollback of what a failed operation did, recovery after a restart) and the CloudFormation API
 * over it. The template language itself is `templates/`, which does no I/O; this is its shell.
 *
 * Invariant: every change to a resource is recorded in the store before the next step starts, so
 * the engine always knows what exists and what to undo.
 */
export { createCloudFormationService } from "./cloudformation-service.js";
export { describeTemplateError } from "./plan.js";
export { type DeployInput, StackEngine } from "./stack-engine.js";
export { stacksMention } from "./stack-records.js";
export { stackMigrations } from "./stack-schema.js";
export { stacksSubsystem } from "./subsystem.js";
