/**
 * @module functions/records
 * What the store holds about functions: configurations (`$LATEST`), published versions, aliases,
 * tags, resource-based policies, asynchronous-invocation configuration, the rules a configuration must satisfy, which
 * configuration a request names (`function-target.ts`), deletion, and the tables (migrations
 * 400–405).
 *
 * Invariant: a function's rows change only inside the caller's transaction, and a change that
 * lost a race (another revision in between) is refused, never applied over it.
 */
export {
  asyncDefaults,
  checkDestinationFunctions,
  deleteEventInvokeConfig,
  describeEventInvokeConfig,
  type EventInvokeConfig,
  findEventInvokeConfig,
  listEventInvokeConfigs,
  putEventInvokeConfig,
  readEventInvokeConfig,
  updateEventInvokeConfig,
} from "./event-invoke-config.js";
export {
  checkAliasName,
  checkDescription,
  checkFunctionVersion,
  deleteAlias,
  describeAlias,
  findAlias,
  listAliases,
  readWeights,
  saveAlias,
} from "./function-aliases.js";
export { type ChangeNotices, FunctionCache, functionCopyMaxAgeMs } from "./function-cache.js";
export {
  checkFunctionName,
  readReservedConcurrency,
  readSettings,
  sortedVariables,
} from "./function-config.js";
export { deleteFunctionOrVersion } from "./function-deletion.js";
export {
  deletePolicies,
  type FunctionPolicy,
  findPolicy,
  functionPolicyMigration,
  type PolicyStatement,
  policyDocument,
  savePolicy,
} from "./function-policies.js";
export {
  asJustCreated,
  asJustUpdated,
  checkReservation,
  codeFieldsOf,
  describeFunction,
  type FunctionRecord,
  type FunctionScope,
  findFunction,
  functionArn,
  insertFunction,
  listFunctions,
  newFunctionRecord,
  refuseWhileUpdating,
  replaceFunction,
  runtimeVersionArn,
  saveTags,
} from "./function-records.js";
export {
  functionOptionsMigration,
  functionTableMigrations,
  functionUpdateWindowMigration,
} from "./function-schema.js";
export { mergeTags, readTags } from "./function-tags.js";
export {
  type FunctionReference,
  type FunctionTarget,
  parseFunctionName,
  type ResolveOptions,
  referenceOf,
  resolveTarget,
  resolveVersion,
} from "./function-target.js";
export {
  findVersion,
  isVersionNumber,
  listVersions,
  publishLatest,
  versionArn,
  versionsCodeSize,
} from "./function-versions.js";
