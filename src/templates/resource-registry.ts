/**
 * The resource types Jeff can deploy. Each subsystem registers handlers for the types it owns
 * (functions register `AWS::Lambda::Function`, events `AWS::Events::Rule`, …); the template code
 * only asks the registry what exists. A type nobody registered is reported by name, never skipped.
 */
import type { TemplateError } from "./template-errors.js";

export interface ResourceContext {
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly accountId: string;
  readonly region: string;
  /**
   * Who started the stack operation: a handler calls the service's operations as this principal,
   * on whose behalf CloudFormation acts (CloudTrail records `invokedBy`).
   */
  readonly caller?: StackCaller;
}

/** A principal, as the edge established it. */
export interface StackCaller {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  readonly accessKeyId: string;
}

export interface ResourceResult {
  readonly physicalId: string;
  readonly attributes: Record<string, unknown>;
}

/** A resource that SAM generates from another and that templates may name (e.g. `MyFunctionRole`). */
export interface ImplicitResource {
  readonly logicalId: string;
  readonly type: string;
}

export interface ResourceHandler<Props = Record<string, unknown>> {
  /** e.g. `AWS::Lambda::Function`. */
  readonly type: string;
  /**
   * The `Fn::GetAtt` names it provides, e.g. `["Arn"]`. A trailing `*` matches any suffix
   * (`Outputs.*` for nested stacks; `*` alone for custom resources, whose attributes are arbitrary).
   */
  readonly attributes: readonly string[];
  /** Checks the raw properties (after Globals, before intrinsics are resolved, so values may be calls). */
  validateProperties?(props: unknown, path: string): TemplateError[];
  /** Logical ids this resource also answers to, as SAM's generated resources do. */
  implicitResources?(logicalId: string, props: unknown): readonly ImplicitResource[];
  /**
   * Properties whose change needs a new resource (CloudFormation's "Replacement" update behaviour):
   * the engine creates the new one, repoints dependents, then deletes the old one.
   */
  readonly replaceOnChange?: readonly string[];
  /**
   * The physical id `create` will give, when it can be known beforehand. The engine records it
   * before calling `create`, so a crash between the two still leaves a resource it can delete.
   */
  physicalIdFor?(props: Props, ctx: ResourceContext): string;
  create(props: Props, ctx: ResourceContext): Promise<ResourceResult>;
  /** Changes the resource in place: the physical id stays the same. */
  update(physicalId: string, props: Props, previous: Props, ctx: ResourceContext): Promise<ResourceResult>;
  /** Must succeed when the resource is already gone (a retried or recovered delete). */
  delete(physicalId: string, props: Props, ctx: ResourceContext): Promise<void>;
}

/** CloudFormation runs every `Custom::Name` type as a custom resource. */
export const CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource";

export class ResourceRegistry {
  readonly #handlers = new Map<string, ResourceHandler>();

  /** Registering a type twice is a programming error, so it throws rather than replacing silently. */
  register<Props>(handler: ResourceHandler<Props>): this {
    if (this.#handlers.has(handler.type))
      throw new Error(`Resource type ${handler.type} is already registered`);
    this.#handlers.set(handler.type, handler as unknown as ResourceHandler);
    return this;
  }

  get(type: string): ResourceHandler | undefined {
    const handler = this.#handlers.get(type);
    if (handler !== undefined || !type.startsWith("Custom::")) return handler;
    return this.#handlers.get(CUSTOM_RESOURCE_TYPE);
  }

  has(type: string): boolean {
    return this.get(type) !== undefined;
  }

  types(): string[] {
    return [...this.#handlers.keys()].sort();
  }
}

/** Whether `handler` declares `attribute`, honouring trailing-`*` patterns. */
export function supportsAttribute(handler: Pick<ResourceHandler, "attributes">, attribute: string): boolean {
  return handler.attributes.some((pattern) =>
    pattern.endsWith("*") ? attribute.startsWith(pattern.slice(0, -1)) : pattern === attribute,
  );
}
