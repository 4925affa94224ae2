/**
 * The AWS error for each way a signature can fail. JSON services and query services name the same
 * failures differently (`InvalidSignatureException` vs `SignatureDoesNotMatch`), so the code
 * depends on the protocol the caller speaks.
 */
import { AwsError } from "./aws-error.js";
import type { WireProtocol } from "./service.js";

export type AuthFailure =
  | "missing"
  | "malformed"
  | "unsupported-algorithm"
  | "unknown-key"
  | "signature-mismatch"
  | "expired"
  | "not-yet-valid"
  | "invalid-token"
  | "expired-token";

const mismatch =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const invalidToken = "The security token included in the request is invalid.";
const expiredToken = "The security token included in the request is expired";

export function authError(failure: AuthFailure, protocol: WireProtocol, detail: string): AwsError {
  const query = protocol === "awsQuery";
  switch (failure) {
    case "missing":
      return query
        ? new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        : new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
    case "malformed":
    case "unsupported-algorithm":
      return new AwsError(query ? "IncompleteSignature" : "IncompleteSignatureException", detail, 400);
    case "unknown-key":
    case "invalid-token":
      return query
        ? new AwsError("InvalidClientTokenId", invalidToken, 403)
        : new AwsError("UnrecognizedClientException", invalidToken, 403);
    case "signature-mismatch":
      return new AwsError(query ? "SignatureDoesNotMatch" : "InvalidSignatureException", mismatch, 403);
    case "expired":
    case "not-yet-valid":
      return query
        ? new AwsError("RequestExpired", `Request has expired. ${detail}`.trim(), 400)
        : new AwsError("InvalidSignatureException", detail, 403);
    case "expired-token":
      return new AwsError(query ? "ExpiredToken" : "ExpiredTokenException", expiredToken, 403);
    default: {
      const unreachable: never = failure;
      throw new Error(`unhandled auth failure ${String(unreachable)}`);
    }
  }
}
