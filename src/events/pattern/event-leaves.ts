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
 * The paths some rule names, as a tree of key segments: flattening follows it, so a key no rule
 * names costs one lookup and no string is built for it.
 */
export interface PathTree {
  readonly path: string;
  readonly children: Map<string, PathTree>;
}

export function pathTree(paths: Iterable<string>): PathTree {
  const root: PathTree = { path: "", children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split(".")) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { path: node.path === "" ? segment : `${node.path}.${segment}`, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
  }
  return root;
}

/** The node a key leads to: a key with dots (`"state.status"`) is the same field as the nesting. */
function childOf(node: PathTree, key: string): PathTree | undefined {
  const direct = node.children.get(key);
  if (direct !== undefined || !key.includes(".")) return direct;
  let at: PathTree | undefined = node;
  for (const segment of key.split(".")) {
    at = at.children.get(segment);
    if (at === undefined) return undefined;
  }
  return at;
}

/**
 * An event's leaves by flattened path (`detail.state`), the way patterns name fields: nested
 * objects join their keys with dots, arrays give each element the array's own path, and only
 * the paths in `tree` (those some rule names, and their prefixes) are visited at all.
 */
export function eventLeaves(event: Record<string, unknown>, tree: PathTree): Map<string, EventLeaf[]> {
  const out = new Map<string, EventLeaf[]>();
  let arrays = 0;
  const visit = (value: unknown, node: PathTree, place: ArrayPlace): void => {
    if (Array.isArray(value)) {
      const array = arrays++;
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        const inner =
          element !== null && typeof element === "object" ? [...place, [array, i] as const] : place;
        visit(element, node, inner);
      }
    } else if (value !== null && typeof value === "object") {
      if (node.children.size === 0) return;
      for (const key in value as Record<string, unknown>) {
        const child = childOf(node, key);
        if (child !== undefined) visit((value as Record<string, unknown>)[key], child, place);
      }
    } else {
      const leaf = { value: value as Leaf, place };
      const list = out.get(node.path);
      if (list === undefined) out.set(node.path, [leaf]);
      else list.push(leaf);
    }
  };
  visit(event, tree, nowhere);
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

/** A path's leaves by the element of one array they all lie in (see leavesByElement). */
export interface LeavesByElement {
  readonly array: number;
  readonly elements: Map<number, EventLeaf[]>;
}

/**
 * A path's leaves grouped by their element of the outermost array they lie in, when every one
 * lies in an element of the same array (as `detail.lines.sku` does in `lines`); undefined
 * otherwise. A match that has used element e of that array can take only element e's leaves, so
 * a walk finds them by one lookup instead of trying every element's leaves, which made matching
 * an array of n objects cost n² joins.
 */
export function leavesByElement(leaves: readonly EventLeaf[]): LeavesByElement | undefined {
  const array = leaves[0]?.place[0]?.[0];
  if (array === undefined) return undefined;
  const elements = new Map<number, EventLeaf[]>();
  for (const leaf of leaves) {
    const outer = leaf.place[0];
    if (outer === undefined || outer[0] !== array) return undefined;
    const list = elements.get(outer[1]);
    if (list === undefined) elements.set(outer[1], [leaf]);
    else list.push(leaf);
  }
  return { array, elements };
}
