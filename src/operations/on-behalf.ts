/**
 * Calls Jeff makes on a principal's behalf — a stack creating its function — go through the same
 * call path as a signed request, marked as CloudTrail marks them: `invokedBy` the service, which is
 * also the source address and user agent.
 */
import { randomUUID } from "node:crypto";
import {
  type Caller,
  type CallTransaction,
  decodeRestJsonInput,
  encodeRestJsonRequest,
  type JsonService,
  type OperationCall,
  type OperationRunner,
  type OperationTraits,
  type RestJsonService,
  validateInput,
} from "../protocol/index.js";

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

/** The call as the call path and a handler see it, made by `invokedBy` for `call.caller`. */
function operationCall(call: OnBehalfCall): OperationCall {
  const caller = call.caller ?? {
    accountId: call.accountId,
    arn: `arn:aws:iam::${call.accountId}:root`,
    userId: call.accountId,
    accessKeyId: "",
  };
  return {
    requestId: randomUUID(),
    caller,
    region: call.region,
    service: call.service,
    operation: call.operation,
    sourceIPAddress: call.invokedBy,
    userAgent: call.invokedBy,
    invokedBy: call.invokedBy,
  };
}

export function callOnBehalf<T>(
  runner: OperationRunner,
  call: OnBehalfCall,
  traits: OperationTraits,
  params: Readonly<Record<string, unknown>>,
  work: (transaction: CallTransaction) => Promise<T>,
): Promise<T> {
  return runner.run(operationCall(call), traits, () => params, work);
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
 * One of a service's declared operations, called as CloudFormation calls it for a stack's
 * resource: the input checked against AWS's model as the edge checks a request's, then the
 * operation's own handler, on the call path with its own traits. A resource that is a service's
 * calls (an EventBridge rule is PutRule and PutTargets, a function is CreateFunction and
 * PutFunctionConcurrency) makes them this way, so it cannot disagree with the API. A restJson1
 * operation is given the request a client would send for the input (`encodeRestJsonRequest`), so
 * its route serves it exactly as it serves the wire; its answer is the response's body.
 */
export function callOperationForStack(
  runner: OperationRunner,
  stack: StackScope,
  service: JsonService | RestJsonService,
  operation: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const call = operationCall({
    caller: stack.caller,
    accountId: stack.accountId,
    region: stack.region,
    service: service.signingName,
    operation,
    invokedBy: cloudFormationPrincipal,
  });
  if (service.protocol === "restJson1") {
    const route = service.routes.find((candidate) => candidate.operation === operation);
    const model = service.model;
    if (route === undefined || model === undefined)
      throw new TypeError(`${service.signingName} declares no modelled operation ${operation}`);
    const request = encodeRestJsonRequest(model, operation, input);
    return runner.run(
      call,
      route,
      () => input,
      async (transaction) => {
        validateInput(model, operation, decodeRestJsonInput(model, operation, request));
        return (await route.handler(request, { ...call, transaction })).body;
      },
    );
  }
  const declared = service.operations[operation];
  if (declared === undefined)
    throw new TypeError(`${service.signingName} declares no operation ${operation}`);
  return runner.run(
    call,
    declared,
    () => input,
    (transaction) => {
      if (service.model !== undefined) validateInput(service.model, operation, input);
      return declared.handler(input, { ...call, transaction });
    },
  );
}
