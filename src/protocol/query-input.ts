/**
 * awsQuery form parameters read into the operation's input shape: `Tags.member.1.Key=…` becomes
 * `{ Tags: [{ Key: … }] }`, `Attributes.entry.1.key/value` a map, numbers and booleans their
 * types. An empty `Name=` stands for an empty list, as the SDKs send one.
 */
import {
  type MemberRef,
  operationInput,
  type ServiceModel,
  type StructureShape,
  shapeOf,
} from "./service-model.js";
import { decodeWireText } from "./wire-text.js";

type Params = Readonly<Record<string, string>>;

/** The operation's input from its form parameters (`Action` and `Version` are not members). */
export function decodeQueryInput<T = Record<string, unknown>>(
  model: ServiceModel,
  operation: string,
  params: Params,
): T {
  const { input } = operationInput(model, operation);
  return (input ? decodeStructure(model, input, params, "") : {}) as T;
}

function decodeStructure(
  model: ServiceModel,
  shape: StructureShape,
  params: Params,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members)) {
    const value = decodeMember(model, ref, params, `${prefix}${ref.locationName ?? name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function decodeMember(model: ServiceModel, ref: MemberRef, params: Params, key: string): unknown {
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case "structure":
      return hasPrefix(params, `${key}.`) ? decodeStructure(model, shape, params, `${key}.`) : undefined;
    case "list": {
      if (params[key] === "") return [];
      const flat = ref.flattened ?? shape.flattened ?? false;
      const itemKey = (i: number) =>
        flat ? `${key}.${i}` : `${key}.${shape.member.locationName ?? "member"}.${i}`;
      const items: unknown[] = [];
      for (let i = 1; hasItem(params, itemKey(i)); i++)
        items.push(decodeMember(model, shape.member, params, itemKey(i)));
      return items.length > 0 ? items : undefined;
    }
    case "map": {
      const flat = ref.flattened ?? shape.flattened ?? false;
      const entryKey = (i: number) => (flat ? `${key}.${i}` : `${key}.entry.${i}`);
      const keyName = shape.key.locationName ?? "key";
      const valueName = shape.value.locationName ?? "value";
      const out: Record<string, unknown> = {};
      for (let i = 1; params[`${entryKey(i)}.${keyName}`] !== undefined; i++) {
        const mapKey = params[`${entryKey(i)}.${keyName}`]!;
        out[mapKey] = decodeMember(model, shape.value, params, `${entryKey(i)}.${valueName}`);
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    default: {
      const text = params[key];
      return text === undefined ? undefined : decodeWireText(shape, text, ref.timestampFormat, "iso8601");
    }
  }
}

function hasItem(params: Params, key: string): boolean {
  return params[key] !== undefined || hasPrefix(params, `${key}.`);
}

function hasPrefix(params: Params, prefix: string): boolean {
  return Object.keys(params).some((k) => k.startsWith(prefix));
}
