/**
 * Concurrency limits, as Lambda applies them: at most `accountLimit` invocations in flight across
 * the account, and at most a function's reserved concurrency for that function. Over a limit a
 * synchronous call is refused with 429 and the reason Lambda gives.
 */
import { AwsError } from "../../protocol/index.js";

export type ThrottleReason =
  | "ConcurrentInvocationLimitExceeded"
  | "ReservedFunctionConcurrentInvocationLimitExceeded";

export function throttled(reason: ThrottleReason): AwsError {
  return new AwsError("TooManyRequestsException", "Rate Exceeded.", 429, { Reason: reason });
}

export class ConcurrencyGate {
  private total = 0;
  private readonly perFunction = new Map<string, number>();

  constructor(private readonly accountLimit: number) {}

  /** Takes a slot for `functionArn` or throws TooManyRequestsException; call the result to give it back. */
  acquire(functionArn: string, reserved: number | undefined): () => void {
    const current = this.perFunction.get(functionArn) ?? 0;
    if (reserved !== undefined && current >= reserved)
      throw throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    if (this.total >= this.accountLimit) throw throttled("ConcurrentInvocationLimitExceeded");
    this.total++;
    this.perFunction.set(functionArn, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perFunction.get(functionArn) ?? 1) - 1;
      if (left === 0) this.perFunction.delete(functionArn);
      else this.perFunction.set(functionArn, left);
    };
  }

  inFlight(functionArn?: string): number {
    return functionArn === undefined ? this.total : (this.perFunction.get(functionArn) ?? 0);
  }
}
