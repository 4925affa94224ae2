/** How a SigV4 verification fails, as data the edge maps to each protocol's AWS error. */

export type SigV4FailureReason =
  | "missing"
  | "malformed"
  | "unknown-key"
  | "signature-mismatch"
  | "expired"
  | "not-yet-valid"
  | "unsupported-algorithm";

export class SigV4Error extends Error {
  override readonly name = "SigV4Error";
  readonly reason: SigV4FailureReason;
  /** On signature-mismatch: what this side signed, for a message that helps the client as AWS's does. */
  readonly canonicalRequest: string | undefined;
  readonly stringToSign: string | undefined;

  constructor(
    reason: SigV4FailureReason,
    message: string,
    computed?: { canonicalRequest: string; stringToSign: string },
  ) {
    super(message);
    this.reason = reason;
    this.canonicalRequest = computed?.canonicalRequest;
    this.stringToSign = computed?.stringToSign;
  }
}

export function malformed(message: string): SigV4Error {
  return new SigV4Error("malformed", message);
}
