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
export { createEdge, type Edge, type EdgeOptions } from "./http-edge.js";
export type {
  Caller,
  JsonOperation,
  JsonService,
  QueryOperation,
  QueryService,
  RequestContext,
  RestJsonService,
  RestOperation,
  RestRequest,
  RestResponse,
  RestRoute,
  ServiceDefinition,
  WireProtocol,
  XmlValue,
} from "./service.js";
