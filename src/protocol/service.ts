/**
 * How a subsystem plugs an AWS API into the edge: the service's signing name, its wire protocol
 * and its operations. The edge owns everything protocol-shaped; a handler sees decoded input and
 * returns plain data.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { SqlExecutor } from "../store/index.js";
import type { ServiceModel } from "./service-model.js";

export type WireProtocol = "awsJson1_0" | "awsJson1_1" | "restJson1" | "awsQuery";

/** Who is calling, as established by the signature. */
export interface Caller {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  readonly accessKeyId: string;
  readonly sessionToken?: string;
}

/** One call of an operation, whoever makes it: the edge for a signed request, or Jeff itself. */
export interface OperationCall {
  readonly requestId: string;
  readonly caller: Caller;
  readonly region: string;
  /** The signing name of the service, e.g. `lambda`. */
  readonly service: string;
  readonly operation: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  /** Set when Jeff calls on a principal's behalf, as CloudTrail shows it: `cloudformation.amazonaws.com`. */
  readonly invokedBy?: string;
}

/** Runs `work` in one store transaction that also carries the call's audit record and change events. */
export type CallTransaction = <T>(work: (tx: SqlExecutor) => Promise<T>) => Promise<T>;

export interface RequestContext extends OperationCall {
  /**
   * The transaction a mutating operation commits its effect in: the call's audit record and change
   * events are written in it too, so the three commit together or not at all.
   */
  readonly transaction: CallTransaction;
}

/** A resource an operation acts on, as CloudTrail's lookup names it. */
export interface ResourceRef {
  /** CloudFormation's type name, e.g. `AWS::Lambda::Function`. */
  readonly type: string;
  /** The name CloudTrail's `ResourceName` shows: usually the resource's name, else its ARN. */
  readonly name: string;
  readonly arn: string;
}

/**
 * What IAM and the audit trail need to know of an operation, declared once beside its handler.
 * Request parameters are the decoded input: the JSON body, the query form, or a REST request's
 * path, query and JSON body members together.
 */
export interface OperationTraits {
  /** The IAM action that authorises the call, e.g. `lambda:InvokeFunction` for `Invoke`. */
  readonly action: string;
  /** CloudTrail's `readOnly`: the call changes nothing. */
  readonly readOnly: boolean;
  /**
   * CloudTrail's class: a data event (an invocation, a log read) is recorded only when a trail
   * selects data events; every other call is a management event and always recorded.
   */
  readonly dataEvent?: boolean;
  /** The resources the call acts on, found from its request parameters ([] for account-wide calls). */
  readonly resources: (
    params: Readonly<Record<string, unknown>>,
    call: OperationCall,
  ) => readonly ResourceRef[];
  /** Request and response members CloudTrail hides (secrets, variables, payloads), by member name. */
  readonly hidden?: readonly string[];
  /**
   * The service's own events for a call that changed something, beside "AWS API Call via
   * CloudTrail" (SSM's "Parameter Store Change", …), from the parameters and what the call answered.
   */
  readonly changeEvents?: (
    params: Readonly<Record<string, unknown>>,
    response: unknown,
    call: OperationCall,
  ) => ReadonlyArray<ServiceEvent>;
}

/** An event a service emits about its own resources, in EventBridge's terms. */
export interface ServiceEvent {
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources?: readonly string[];
}

/** Runs one call through authorisation, the handler and the audit trail. */
export interface OperationRunner {
  run<T>(
    call: OperationCall,
    traits: OperationTraits,
    params: () => Readonly<Record<string, unknown>>,
    work: (transaction: CallTransaction) => Promise<T>,
  ): Promise<T>;
}

/** awsJson1_0 / awsJson1_1: the decoded JSON body in, a JSON-serialisable object out. */
export type JsonOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<unknown>;

/** An operation as a service declares it: its traits and its handler. */
export type Declared<Handler> = OperationTraits & { readonly handler: Handler };

/** awsQuery: the form parameters in, an XML-serialisable value out (wrapped in `<OpResult>`). */
export type QueryOperation = (
  params: Readonly<Record<string, string>>,
  ctx: RequestContext,
) => Promise<XmlValue>;

/** A value the query serialiser writes as XML: objects become elements, arrays become `<member>` lists. */
export type XmlValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | XmlValue[]
  | { [key: string]: XmlValue };

export interface RestRequest {
  readonly method: string;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RestResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a Buffer or string as is. */
  readonly body?: unknown;
}

export type RestOperation = (req: RestRequest, ctx: RequestContext) => Promise<RestResponse>;

export interface RestRoute extends OperationTraits {
  readonly method: string;
  /** e.g. `/2015-03-31/functions/{FunctionName}/invocations`; a trailing slash on the request is ignored. */
  readonly path: string;
  readonly operation: string;
  readonly handler: RestOperation;
  /** The member a raw body is, where the body is a payload rather than JSON members (`Payload`). */
  readonly payload?: string;
  /** A request body this operation takes beyond the edge's limit, in bytes. */
  readonly maxBodyBytes?: number;
}

interface ServiceBase {
  /** The service name in the SigV4 credential scope, e.g. `sts`, `lambda`, `states`. */
  readonly signingName: string;
  /**
   * AWS's model of the service (`models/`): each operation it declares is decoded by it and its
   * input checked against its constraints before the handler runs.
   */
  readonly model?: ServiceModel;
}

export interface JsonService extends ServiceBase {
  readonly protocol: "awsJson1_0" | "awsJson1_1";
  /** The `X-Amz-Target` prefix, e.g. `AWSStepFunctions`. Dispatch uses the text after the last `.`. */
  readonly targetPrefix: string;
  readonly operations: Readonly<Record<string, Declared<JsonOperation>>>;
}

export interface QueryService extends ServiceBase {
  readonly protocol: "awsQuery";
  readonly xmlNamespace: string;
  readonly operations: Readonly<Record<string, Declared<QueryOperation>>>;
}

export interface RestJsonService extends ServiceBase {
  readonly protocol: "restJson1";
  readonly routes: readonly RestRoute[];
}

export type ServiceDefinition = JsonService | QueryService | RestJsonService;
