/**
 * @module functions/api
 * The Lambda API (restJson1, `/2015-03-31/…`): functions, versions, aliases, tags, asynchronous
 * configuration, concurrency and Invoke, as the AWS SDK and CLI expect them; and the template
 * resource types (`AWS::Lambda::Function`, `AWS::Serverless::Function`, `AWS::Lambda::Permission`),
 * checked by the same rules as the API and recorded on the call path on the stack's behalf.
 *
 * Invariant: every route is declared with its IAM action and resources, so each call is
 * authorised and recorded like any other.
 */

export { eventInvokeConfigResource } from "./event-invoke-config-resource.js";
export { type FunctionResourceOptions, functionResources } from "./function-resource.js";
export { type InvokeOnBehalf, invokeOnBehalf, type OnBehalfInvocation } from "./invoke-on-behalf.js";
export { createLambdaService, type LambdaServiceOptions } from "./lambda-service.js";
export { permissionResource } from "./permission-resource.js";
