/**
 * @module protocol
 * The one HTTP edge that the AWS CLI and SDKs talk to: SigV4 verification, the awsJson1_0,
 * awsJson1_1, restJson1 and awsQuery wire protocols, and AWS's error shapes.
 *
 * Invariant: no operation runs for a request whose signature was not verified against a key the
 * platform issued.
 */
export type { CredentialLookup, CredentialRecord } from "./authenticate.js";
export { AwsError, commonErrors, isAwsError } from "./aws-error.js";
export { createEdge, type Edge, type EdgeOptions, type SignedRoute } from "./http-edge.js";
export { mutates, noResources, reads } from "./operation-traits.js";
export { requestParameters } from "./request-parameters.js";
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
