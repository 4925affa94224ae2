import type { Leaf } from "./value-matchers.js";

/**
 * An event's leaves by flattened path (`detail.state`), the way patterns name fields: nested
 * objects join their keys with dots, arrays give each element the array's own path, and only
 * paths in `keep` (the paths some rule names, and their prefixes) are visited at all.
 */
export function eventLeaves(event: Record<string, unknown>, keep: ReadonlySet<string>): Map<string, Leaf[]> {
  const out = new Map<string, Leaf[]>();
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const element of value) visit(element, path);
    } else if (value !== null && typeof value === "object") {
      for (const key in value as Record<string, unknown>) {
        const child = `${path}.${key}`;
        if (keep.has(child)) visit((value as Record<string, unknown>)[key], child);
      }
    } else {
      const list = out.get(path);
      if (list === undefined) out.set(path, [value as Leaf]);
      else list.push(value as Leaf);
    }
  };
  for (const key in event) if (keep.has(key)) visit(event[key], key);
  return out;
}
