/**
 * @module protocol
 * The one HTTP edge that the AWS CLI and SDKs talk to: SigV4 verification, the awsJson1_0,
 * awsJson1_1, restJson1 and awsQuery wire protocols, and AWS's error shapes; AWS's service models
 * (`models/`, generated) with one decoder per protocol into the model's typed input and one
 * validator that words constraint failures as AWS does.
 *
 * Invariant: no operation runs for a request whose signature was not verified against a key the
 * platform issued.
 */
export type { CredentialLookup, CredentialRecord } from "./authenticate.js";
export { AwsError, commonErrors, isAwsError } from "./aws-error.js";
export { createEdge, type Edge, type EdgeOptions, type SignedRoute } from "./http-edge.js";
export {
  findValidationErrors,
  maxListedViolations,
  type ValidationViolation,
  validateInput,
  validationErrorCode,
  validationFailure,
  validationMessage,
} from "./input-validation.js";
export { decodeJsonInput } from "./json-input.js";
export {
  type DecodedModelRequest,
  decodeModelRequest,
  type ModelRequest,
  readModelRequest,
} from "./model-request.js";
export {
  cloudformationModel,
  cloudtrailModel,
  eventsModel,
  lambdaModel,
  logsModel,
  schedulerModel,
  ssmModel,
  stepfunctionsModel,
  stsModel,
} from "./models/index.js";
export { NodeSha256 } from "./node-sha256.js";
export { mutates, noResources, reads } from "./operation-traits.js";
export { decodeQueryInput } from "./query-input.js";
export { requestParameters } from "./request-parameters.js";
export {
  decodeRestJsonInput,
  encodeRestJsonRequest,
  type ModelRoute,
  type ModelRouteMatch,
  matchModelRoute,
  modelRoutes,
} from "./rest-json-input.js";
export type {
  Caller,
  CallTransaction,
  Declared,
  JsonOperation,
  JsonService,
  OperationCall,
  OperationRunner,
  OperationTraits,
  QueryOperation,
  QueryService,
  RequestContext,
  ResourceRef,
  RestJsonService,
  RestOperation,
  RestRequest,
  RestResponse,
  RestRoute,
  ServiceDefinition,
  ServiceEvent,
  WireProtocol,
  XmlValue,
} from "./service.js";
export type {
  HttpBinding,
  MemberRef,
  OperationModel,
  ServiceModel,
  Shape,
  StructureShape,
} from "./service-model.js";
