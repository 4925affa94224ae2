/**
 * Errors that travel back to the caller. Each carries the AWS error code and HTTP status a client
 * expects; the protocol serialisers turn it into the wire shape (JSON `__type`, query `<Error>`).
 */

export type ErrorFault = "Sender" | "Receiver";

export class AwsError extends Error {
  override readonly name = "AwsError";

  constructor(
    /** The AWS error code, e.g. `ValidationException`. */
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members some errors carry in their body, e.g. Lambda's `Reason`. */
    readonly fields: Readonly<Record<string, unknown>> = {},
    /**
     * How the error's shape spells its message member in a JSON body: `message` for most, but
     * some of Lambda's shapes say `Message`, and AWS answers each as its model spells it.
     */
    readonly messageMember: "message" | "Message" = "message",
  ) {
    super(message);
  }

  get fault(): ErrorFault {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}

/** Errors every service shares, named once so their codes and statuses never drift. */
export const commonErrors = {
  validation: (message: string) => new AwsError("ValidationException", message, 400),
  serialization: (message: string) => new AwsError("SerializationException", message, 400),
  internal: () =>
    new AwsError("InternalFailure", "The request processing has failed because of an unknown error.", 500),
  payloadTooLarge: (limit: number) =>
    new AwsError("RequestEntityTooLargeException", `Request must be smaller than ${limit} bytes.`, 413),
} as const;

export function isAwsError(error: unknown): error is AwsError {
  return error instanceof AwsError;
}
