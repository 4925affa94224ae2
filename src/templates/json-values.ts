/**
 * Small helpers for walking template data. Templates are user input, so keys such as `__proto__`
 * or `constructor` must never reach the prototype chain: reads go through `ownValue`, writes
 * through `setOwn`.
 */

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value stored under `key` on the object itself, ignoring anything inherited. */
/**
 * A property value that an intrinsic function will produce (`{Ref: …}`, `{"Fn::…": …}`): it cannot
 * be judged before it is resolved, so a resource type's validation lets it pass.
 */
export function isFunctionCall(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"));
}

export function ownValue(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function hasOwn(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** Sets an own, enumerable property, even for `__proto__`. */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/** `Resources.Fn` + `Properties` → `Resources.Fn.Properties`; numbers become `[i]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** A readable rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text;
}
