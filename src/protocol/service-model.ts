/**
 * AWS's service models as data: what `scripts/generate-models.mjs` writes into `models/`. An
 * operation names its input shape; a shape carries the constraints AWS validates (`min`, `max`,
 * `pattern`, `enum`, `required`) and, for restJson1, where each member travels on the wire.
 */
import { AwsError } from "./aws-error.js";
import type { WireProtocol } from "./service.js";

export interface ServiceModel {
  /** botocore's folder name, e.g. `lambda`, `stepfunctions`. */
  readonly id: string;
  readonly uid: string;
  readonly apiVersion: string;
  readonly protocol: WireProtocol;
  /** The service name in the SigV4 credential scope, e.g. `states` for Step Functions. */
  readonly signingName: string;
  readonly targetPrefix?: string;
  readonly xmlNamespace?: string;
  readonly operations: Readonly<Record<string, OperationModel>>;
  /** Every shape reachable from an operation's input, by name. */
  readonly shapes: Readonly<Record<string, Shape>>;
  /** Each modeled error's members, by error code: the names its body carries them under. */
  readonly errorShapes: Readonly<Record<string, readonly string[]>>;
}

export interface OperationModel {
  /** restJson1 only: e.g. `{ method: "POST", requestUri: "/2015-03-31/functions/{FunctionName}/invocations" }`. */
  readonly http?: HttpBinding;
  readonly input?: string;
  readonly output?: string;
  readonly errors: readonly string[];
}

export interface HttpBinding {
  readonly method: string;
  readonly requestUri: string;
  readonly responseCode?: number;
}

export type MemberLocation = "uri" | "querystring" | "header" | "headers" | "statusCode";

export interface MemberRef {
  readonly shape: string;
  readonly location?: MemberLocation;
  /** The wire name: the URI label, query parameter, header (or header prefix for `headers`). */
  readonly locationName?: string;
  /** A header holding base64-encoded JSON. */
  readonly jsonvalue?: boolean;
  readonly timestampFormat?: TimestampFormat;
  readonly flattened?: boolean;
  readonly queryName?: string;
}

export type TimestampFormat = "iso8601" | "rfc822" | "unixTimestamp";

interface Bounded {
  readonly min?: number;
  readonly max?: number;
  /** AWS leaves the value out of its messages (`Value at 'environment.variables' …`). */
  readonly sensitive?: boolean;
}

export interface StringShape extends Bounded {
  readonly type: "string";
  readonly pattern?: string;
  readonly enum?: readonly string[];
  /** AWS takes the enum's values in any case (a supplement: the models cannot say so). */
  readonly enumIgnoresCase?: boolean;
}

export interface NumberShape extends Bounded {
  readonly type: "integer" | "long" | "float" | "double";
}

export interface BlobShape extends Bounded {
  readonly type: "blob";
}

export interface BooleanShape {
  readonly type: "boolean";
  readonly sensitive?: boolean;
}

export interface TimestampShape {
  readonly type: "timestamp";
  readonly sensitive?: boolean;
  readonly timestampFormat?: TimestampFormat;
}

export interface ListShape extends Bounded {
  readonly type: "list";
  readonly member: MemberRef;
  readonly flattened?: boolean;
}

export interface MapShape extends Bounded {
  readonly type: "map";
  readonly key: MemberRef;
  readonly value: MemberRef;
  readonly flattened?: boolean;
}

export interface StructureShape {
  readonly type: "structure";
  readonly sensitive?: boolean;
  readonly members: Readonly<Record<string, MemberRef>>;
  readonly required?: readonly string[];
  /** restJson1: the member that is the whole body. */
  readonly payload?: string;
}

export type Shape =
  | StringShape
  | NumberShape
  | BlobShape
  | BooleanShape
  | TimestampShape
  | ListShape
  | MapShape
  | StructureShape;

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`${model.id}: no shape ${name}`);
  return shape;
}

/** The operation and its input structure; an operation the model lacks is the caller's error. */
export function operationInput(
  model: ServiceModel,
  operation: string,
): { readonly op: OperationModel; readonly input: StructureShape | undefined } {
  const op = Object.hasOwn(model.operations, operation) ? model.operations[operation] : undefined;
  if (!op) {
    throw new AwsError(
      "UnknownOperationException",
      `The operation ${operation} is not supported by this service.`,
    );
  }
  if (op.input === undefined) return { op, input: undefined };
  const input = shapeOf(model, op.input);
  if (input.type !== "structure") throw new Error(`${model.id}: input ${op.input} is not a structure`);
  return { op, input };
}

/** How AWS names a member in messages: the model's name with its first letter lowered (`kMSKeyArn`). */
export function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent === "" ? name : `${parent}.${name}`;
}
