import type { Leaf } from "./value-matchers.js";

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
 *
 * Where a leaf sits among the event's arrays is its place: for each array it is inside an object
 * (or array) element of, the array's number and the element's index. Two leaves whose places
 * name one array with different indexes come from different elements, and no match may combine
 * them (AWS's "array-consistent" matching). A place is a number: place 0 is outside every array
 * element, and place p's (array, element) pairs, outermost first, are
 * `pairs[start[p]]`, `pairs[start[p] + 1]`, … for `size[p]` pairs, in plain number lists reused
 * by every event, so an event's places cost no objects.
 */
export class LeafTable {
  /**
   * Each path's leaf values in the current event, and beside them their places: the first
   * `counts[path]` of each list (the rest is a previous event's, to be written over).
   */
  readonly values: Leaf[][] = [];
  readonly places: number[][] = [];
  readonly counts: Int32Array;
  private readonly stamp: Int32Array;
  private generation = 0;
  private arrays = 0;
  /** Whether some leaf of the current event lies in an element of an array of objects. */
  placed = false;
  /** The places' pairs (array, element), flat; each place's first pair at `start[p]`, `size[p]` pairs. */
  readonly pairs: number[] = [];
  readonly start: number[] = [0];
  readonly size: number[] = [0];
  /** How many places the current event has (place 0 included), and how many pair slots are used. */
  private placeCount = 1;
  private pairCount = 0;
  /** Joined places already made in this event, by their pairs as text. */
  private joined = new Map<string, number>();
  /** Per path, stamped with `generation`: the one array every leaf lies in an element of, or -1. */
  private readonly groupStamp: Int32Array;
  private readonly groupArray: Int32Array;
  /** Per path, with groupingArray's array: where each element's leaves begin, for elementCount elements. */
  private readonly elementStarts: number[][] = [];
  private readonly elementCount: Int32Array;

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
    this.groupStamp = new Int32Array(size);
    this.groupArray = new Int32Array(size);
    this.elementCount = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      this.values.push([]);
      this.places.push([]);
      this.elementStarts.push([]);
    }
  }

  /** Files `event`'s leaves, forgetting the previous event's. */
  fill(event: Record<string, unknown>): void {
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.stamp.fill(0);
      this.groupStamp.fill(0);
    }
    this.arrays = 0;
    this.placed = false;
    this.placeCount = 1;
    this.pairCount = 0;
    if (this.joined.size > 0) this.joined = new Map();
    this.visitObject(event, this.tree, 0);
  }

  /** Whether the current event has a leaf at path number `id`. */
  has(id: number): boolean {
    return this.stamp[id] === this.generation;
  }

  private visitObject(value: Record<string, unknown>, node: PathTree, place: number): void {
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

  private visit(value: unknown, node: PathTree, place: number): void {
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
      if (place !== 0) this.placed = true;
    } else if (Array.isArray(value)) {
      const array = this.arrays++;
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        this.visit(
          element,
          node,
          element !== null && typeof element === "object" ? this.within(place, array, i) : place,
        );
      }
    } else this.visitObject(value as Record<string, unknown>, node, place);
  }

  /** A new place: `place` and, inside it, element `element` of array `array`. */
  private within(place: number, array: number, element: number): number {
    const id = this.placeCount++;
    const from = this.start[place]!;
    const n = this.size[place]!;
    const pairs = this.pairs;
    let at = this.pairCount;
    this.start[id] = at;
    this.size[id] = n + 1;
    for (let i = 0; i < 2 * n; i++) pairs[at++] = pairs[from + i]!;
    pairs[at++] = array;
    pairs[at++] = element;
    this.pairCount = at;
    return id;
  }

  /** The element of `array` that place `place` lies in, or -1 if it lies in none. */
  elementOf(place: number, array: number): number {
    const pairs = this.pairs;
    for (let i = this.start[place]!, end = i + 2 * this.size[place]!; i < end; i += 2) {
      if (pairs[i] === array) return pairs[i + 1]!;
    }
    return -1;
  }

  /**
   * The place of a match that has used leaves at place `a` and now one at `b`, or -1 if they
   * conflict (name one array with different elements).
   */
  join(a: number, b: number): number {
    if (b === 0 || a === b) return a;
    if (a === 0) return b;
    const pairs = this.pairs;
    // Which of b's pairs a lacks; a conflict ends the join.
    let aHasAllOfB = true;
    for (let i = this.start[b]!, end = i + 2 * this.size[b]!; i < end; i += 2) {
      const element = this.elementOf(a, pairs[i]!);
      if (element === -1) aHasAllOfB = false;
      else if (element !== pairs[i + 1]) return -1;
    }
    if (aHasAllOfB) return a;
    if (this.size[a]! <= this.size[b]! && this.covers(b, a)) return b;
    return this.union(a, b);
  }

  /** Whether every pair of place `a` is one of place `b`'s. */
  private covers(b: number, a: number): boolean {
    const pairs = this.pairs;
    for (let i = this.start[a]!, end = i + 2 * this.size[a]!; i < end; i += 2) {
      if (this.elementOf(b, pairs[i]!) !== pairs[i + 1]) return false;
    }
    return true;
  }

  /** The place holding a's pairs and b's (which agree where both name an array), made once per event. */
  private union(a: number, b: number): number {
    const pairs = this.pairs;
    const all: [number, number][] = [];
    for (let i = this.start[a]!, end = i + 2 * this.size[a]!; i < end; i += 2)
      all.push([pairs[i]!, pairs[i + 1]!]);
    for (let i = this.start[b]!, end = i + 2 * this.size[b]!; i < end; i += 2) {
      if (this.elementOf(a, pairs[i]!) === -1) all.push([pairs[i]!, pairs[i + 1]!]);
    }
    all.sort((x, y) => x[0] - y[0]);
    const key = all.map(([x, e]) => `${x}:${e}`).join(",");
    const known = this.joined.get(key);
    if (known !== undefined) return known;
    const id = this.placeCount++;
    let at = this.pairCount;
    this.start[id] = at;
    this.size[id] = all.length;
    for (const [x, e] of all) {
      pairs[at++] = x;
      pairs[at++] = e;
    }
    this.pairCount = at;
    this.joined.set(key, id);
    return id;
  }

  /**
   * The array every leaf at `path` lies in an element of (as `detail.lines.sku` lies in `lines`),
   * or -1 if there is none. Its leaves are then in the order of that array's elements (the event
   * is read in order), so the leaves of one element are a run of the list, found by
   * firstInElement: a match that has used element e of that array can take only element e's
   * leaves, instead of trying every element's (which made matching an array of n objects cost n²
   * joins). Worked out once per path and event.
   */
  groupingArray(path: number): number {
    if (this.groupStamp[path] === this.generation) return this.groupArray[path]!;
    const places = this.places[path]!;
    const count = this.counts[path]!;
    const pairs = this.pairs;
    const starts = this.elementStarts[path]!;
    let array = -1;
    // starts[e]: the first leaf in element e or a later one, for e up to the last leaf's element.
    let e = 0;
    for (let i = 0; i < count; i++) {
      const place = places[i]!;
      if (place === 0) {
        array = -1;
        break;
      }
      const outer = this.start[place]!;
      const element = pairs[outer + 1]!;
      if (i === 0) array = pairs[outer]!;
      else if (pairs[outer] !== array || element < e - 1) {
        array = -1;
        break;
      }
      while (e <= element) starts[e++] = i;
    }
    starts[e] = count;
    this.elementCount[path] = e;
    this.groupStamp[path] = this.generation;
    this.groupArray[path] = array;
    return array;
  }

  /** The first of `path`'s leaves (once groupingArray found its array) in element `element` or a later one. */
  firstInElement(path: number, element: number): number {
    return element < this.elementCount[path]! ? this.elementStarts[path]![element]! : this.counts[path]!;
  }
}
