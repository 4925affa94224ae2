import type { Leaf } from "./value-matchers.js";

/**
 * Where a leaf sits among the event's arrays: for each array it is inside an object (or array)
 * element of, the array's number and the element's index. Two leaves whose places name one array
 * with different indexes come from different elements, and no match may combine them (AWS's
 * "array-consistent" matching).
 */
export type ArrayPlace = readonly (readonly [array: number, element: number])[];

export interface EventLeaf {
  readonly value: Leaf;
  readonly place: ArrayPlace;
}

const nowhere: ArrayPlace = [];

/**
 * An event's leaves by flattened path (`detail.state`), the way patterns name fields: nested
 * objects join their keys with dots, arrays give each element the array's own path, and only
 * paths in `keep` (the paths some rule names, and their prefixes) are visited at all.
 */
export function eventLeaves(
  event: Record<string, unknown>,
  keep: ReadonlySet<string>,
): Map<string, EventLeaf[]> {
  const out = new Map<string, EventLeaf[]>();
  let arrays = 0;
  const visit = (value: unknown, path: string, place: ArrayPlace): void => {
    if (Array.isArray(value)) {
      const array = arrays++;
      for (const [i, element] of value.entries()) {
        const inner =
          element !== null && typeof element === "object" ? [...place, [array, i] as const] : place;
        visit(element, path, inner);
      }
    } else if (value !== null && typeof value === "object") {
      for (const key in value as Record<string, unknown>) {
        const child = `${path}.${key}`;
        if (keep.has(child)) visit((value as Record<string, unknown>)[key], child, place);
      }
    } else {
      const leaf = { value: value as Leaf, place };
      const list = out.get(path);
      if (list === undefined) out.set(path, [leaf]);
      else list.push(leaf);
    }
  };
  for (const key in event) if (keep.has(key)) visit(event[key], key, nowhere);
  return out;
}

/** The place of a match that has used leaves at `a` and now one at `b`, or undefined if they conflict. */
export function joinPlaces(a: ArrayPlace, b: ArrayPlace): ArrayPlace | undefined {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  let joined: [number, number][] | undefined;
  for (const [array, element] of b) {
    const other = a.find(([x]) => x === array);
    if (other === undefined) {
      joined ??= [...a] as [number, number][];
      joined.push([array, element]);
    } else if (other[1] !== element) return undefined;
  }
  return joined ?? a;
}
