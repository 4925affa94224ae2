/**
 * Calls Jeff makes on a principal's behalf — a stack creating its function — go through the same
 * call path as a signed request, marked as CloudTrail marks them: `invokedBy` the service, which is
 * also the source address and user agent.
 */
import { randomUUID } from "node:crypto";
import type { Caller, CallTransaction, OperationRunner, OperationTraits } from "../protocol/index.js";

export interface OnBehalfCall {
  /** The principal the service acts for; absent for work nobody started (the account acts). */
  readonly caller: Caller | undefined;
  readonly accountId: string;
  readonly region: string;
  /** The signing name of the service called, e.g. `lambda`. */
  readonly service: string;
  readonly operation: string;
  /** The calling service's principal, e.g. `cloudformation.amazonaws.com`. */
  readonly invokedBy: string;
}

export function callOnBehalf<T>(
  runner: OperationRunner,
  call: OnBehalfCall,
  traits: OperationTraits,
  params: Readonly<Record<string, unknown>>,
  work: (transaction: CallTransaction) => Promise<T>,
): Promise<T> {
  const caller = call.caller ?? {
    accountId: call.accountId,
    arn: `arn:aws:iam::${call.accountId}:root`,
    userId: call.accountId,
    accessKeyId: "",
  };
  return runner.run(
    {
      requestId: randomUUID(),
      caller,
      region: call.region,
      service: call.service,
      operation: call.operation,
      sourceIPAddress: call.invokedBy,
      userAgent: call.invokedBy,
      invokedBy: call.invokedBy,
    },
    traits,
    () => params,
    work,
  );
}

/** CloudFormation's service principal, as CloudTrail shows it on the calls it makes. */
const cloudFormationPrincipal = "cloudformation.amazonaws.com";

/** Where a stack's resource is: its account and Region, and who started the stack operation. */
export interface StackScope {
  readonly caller?: Caller | undefined;
  readonly accountId: string;
  readonly region: string;
}

/**
 * A call a stack's resource makes, as CloudFormation makes it: on behalf of whoever started the
 * stack operation, `invokedBy` CloudFormation.
 */
export function callForStack<T>(
  runner: OperationRunner,
  stack: StackScope,
  call: { readonly service: string; readonly operation: string },
  traits: OperationTraits,
  params: Readonly<Record<string, unknown>>,
  work: (transaction: CallTransaction) => Promise<T>,
): Promise<T> {
  return callOnBehalf(
    runner,
    {
      caller: stack.caller,
      accountId: stack.accountId,
      region: stack.region,
      service: call.service,
      operation: call.operation,
      invokedBy: cloudFormationPrincipal,
    },
    traits,
    params,
    work,
  );
}
