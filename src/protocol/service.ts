/**
 * How a subsystem plugs an AWS API into the edge: the service's signing name, its wire protocol
 * and its operations. The edge owns everything protocol-shaped; a handler sees decoded input and
 * returns plain data.
 */
import type { IncomingHttpHeaders } from "node:http";

export type WireProtocol = "awsJson1_0" | "awsJson1_1" | "restJson1" | "awsQuery";

/** Who is calling, as established by the signature. */
export interface Caller {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  readonly accessKeyId: string;
  readonly sessionToken?: string;
}

export interface RequestContext {
  readonly requestId: string;
  readonly caller: Caller;
  readonly region: string;
  readonly service: string;
  readonly operation: string;
}

/** awsJson1_0 / awsJson1_1: the decoded JSON body in, a JSON-serialisable object out. */
export type JsonOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<unknown>;

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

export interface RestRoute {
  readonly method: string;
  /** e.g. `/2015-03-31/functions/{FunctionName}/invocations`; a trailing slash on the request is ignored. */
  readonly path: string;
  readonly operation: string;
  readonly handler: RestOperation;
}

interface ServiceBase {
  /** The service name in the SigV4 credential scope, e.g. `sts`, `lambda`, `states`. */
  readonly signingName: string;
}

export interface JsonService extends ServiceBase {
  readonly protocol: "awsJson1_0" | "awsJson1_1";
  /** The `X-Amz-Target` prefix, e.g. `AWSStepFunctions`. Dispatch uses the text after the last `.`. */
  readonly targetPrefix: string;
  readonly operations: Readonly<Record<string, JsonOperation>>;
}

export interface QueryService extends ServiceBase {
  readonly protocol: "awsQuery";
  readonly xmlNamespace: string;
  readonly operations: Readonly<Record<string, QueryOperation>>;
}

export interface RestJsonService extends ServiceBase {
  readonly protocol: "restJson1";
  readonly routes: readonly RestRoute[];
}

export type ServiceDefinition = JsonService | QueryService | RestJsonService;
