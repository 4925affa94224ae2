import type { Leaf } from "./value-matchers.js";

/**
 * Where a leaf sits among the event's arrays: for each array it is inside an object (or array)
 * element of, the array's number and the element's index. Two leaves whose places name one array
 * with different indexes come from different elements, and no match may combine them (AWS's
 * "array-consistent" matching).
 */
export type ArrayPlace = readonly (readonly [array: number, element: number])[];

export const nowhere: ArrayPlace = [];

/**
 * The paths some rule names, as a tree of key segments, each node numbered: flattening follows
 * it, so a key no rule names costs one lookup, and a leaf is filed under its path's number, so
 * no path string is built for it.
 */
export interface PathTree {
  readonly id: number;
  readonly path: string;
  readonly children: Map<string, PathTree>;
}

/**
 * A node's children as flattening reads them: by key, or (`direct`) by looking each child's key
 * up in the object, when no key with a dot could lead past a child (no child has children of its
 * own) and no child's key is also an inherited property (`constructor`, `__proto__`): then an
 * object's other keys cost nothing.
 */
interface Reading {
  readonly direct: boolean;
  /** For each ASCII code, 1 if some child's key begins with it. */
  readonly firsts: Uint8Array;
  readonly keys: readonly string[];
  readonly nodes: readonly PathTree[];
}

function readingOf(node: PathTree): Reading {
  const keys = [...node.children.keys()];
  const nodes = [...node.children.values()];
  const direct =
    nodes.every((child) => child.children.size === 0) && keys.every((key) => !(key in Object.prototype));
  const firsts = new Uint8Array(128);
  for (const key of keys) {
    const c = key.charCodeAt(0);
    if (c < 128) firsts[c] = 1;
  }
  return { direct, firsts, keys, nodes };
}

/** The tree of `paths` (which hold each path's prefixes too), and each path's number in it. */
export function pathTree(paths: Iterable<string>): { tree: PathTree; ids: Map<string, number> } {
  const ids = new Map<string, number>([["", 0]]);
  const root: PathTree = { id: 0, path: "", children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split(".")) {
      let child = node.children.get(segment);
      if (child === undefined) {
        const childPath = node.path === "" ? segment : `${node.path}.${segment}`;
        child = { id: ids.size, path: childPath, children: new Map() };
        ids.set(childPath, child.id);
        node.children.set(segment, child);
      }
      node = child;
    }
  }
  return { tree: root, ids };
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
 * An event's leaves by path number, the way patterns name fields: nested objects join their keys
 * with dots, arrays give each element the array's own path, and only the paths in the tree (those
 * some rule names, and their prefixes) are visited at all. One table serves every event in turn:
 * its lists are reused, and a path's lists count only if stamped with the current event.
 */
export class LeafTable {
  /**
   * Each path's leaf values in the current event, and beside them their array places: the first
   * `counts[path]` of each list (the rest is a previous event's, to be written over).
   */
  readonly values: Leaf[][] = [];
  readonly places: ArrayPlace[][] = [];
  readonly counts: Int32Array;
  private readonly stamp: Int32Array;
  private generation = 0;
  private arrays = 0;
  /** Whether some leaf of the current event lies in an element of an array of objects. */
  placed = false;

  /** Each node's Reading, by node number. */
  private readonly readings: Reading[] = [];

  constructor(
    private readonly tree: PathTree,
    size: number,
  ) {
    const nodes = [tree];
    for (const node of nodes) {
      this.readings[node.id] = readingOf(node);
      nodes.push(...node.children.values());
    }
    this.stamp = new Int32Array(size);
    this.counts = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      this.values.push([]);
      this.places.push([]);
    }
  }

  /** Files `event`'s leaves, forgetting the previous event's. */
  fill(event: Record<string, unknown>): void {
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.stamp.fill(0);
    }
    this.arrays = 0;
    this.placed = false;
    this.visitObject(event, this.tree, nowhere);
  }

  /** Whether the current event has a leaf at path number `id`. */
  has(id: number): boolean {
    return this.stamp[id] === this.generation;
  }

  private visitObject(value: Record<string, unknown>, node: PathTree, place: ArrayPlace): void {
    const children = node.children;
    if (children.size === 0) return;
    const reading = this.readings[node.id]!;
    if (reading.direct) {
      for (let i = 0; i < reading.keys.length; i++) {
        const child: unknown = value[reading.keys[i]!];
        if (child !== undefined) this.visit(child, reading.nodes[i]!, place);
      }
      return;
    }
    const firsts = reading.firsts;
    for (const key in value) {
      // A key (dotted or not) can lead to a child only if it begins as one of the children's keys.
      const c = key.charCodeAt(0);
      if (c < 128 && firsts[c] === 0) continue;
      let child = children.get(key);
      if (child === undefined) {
        if (!key.includes(".")) continue;
        child = childOf(node, key);
        if (child === undefined) continue;
      }
      this.visit(value[key], child, place);
    }
  }

  private visit(value: unknown, node: PathTree, place: ArrayPlace): void {
    if (typeof value !== "object" || value === null) {
      const id = node.id;
      let count = this.counts[id]!;
      if (this.stamp[id] !== this.generation) {
        this.stamp[id] = this.generation;
        count = 0;
      }
      this.values[id]![count] = value as Leaf;
      this.places[id]![count] = place;
      this.counts[id] = count + 1;
      if (place.length > 0) this.placed = true;
    } else if (Array.isArray(value)) {
      const array = this.arrays++;
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        this.visit(
          element,
          node,
          element !== null && typeof element === "object" ? within(place, array, i) : place,
        );
      }
    } else this.visitObject(value as Record<string, unknown>, node, place);
  }
}

/** `place` and, inside it, element `element` of array `array`. */
function within(place: ArrayPlace, array: number, element: number): ArrayPlace {
  const inner: (readonly [number, number])[] = [];
  for (let i = 0; i < place.length; i++) inner.push(place[i]!);
  inner.push([array, element]);
  return inner;
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

/** A path's leaves (their positions in its list) by the element of one array they all lie in. */
export interface LeavesByElement {
  readonly array: number;
  readonly elements: Map<number, number[]>;
}

/**
 * A path's leaves grouped by their element of the outermost array they lie in, when every one
 * lies in an element of the same array (as `detail.lines.sku` does in `lines`); undefined
 * otherwise. A match that has used element e of that array can take only element e's leaves, so
 * a walk finds them by one lookup instead of trying every element's leaves, which made matching
 * an array of n objects cost n² joins.
 */
export function leavesByElement(places: readonly ArrayPlace[], count: number): LeavesByElement | undefined {
  const array = places[0]?.[0]?.[0];
  if (array === undefined) return undefined;
  const elements = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const outer = places[i]![0];
    if (outer === undefined || outer[0] !== array) return undefined;
    const list = elements.get(outer[1]);
    if (list === undefined) elements.set(outer[1], [i]);
    else list.push(i);
  }
  return { array, elements };
}
