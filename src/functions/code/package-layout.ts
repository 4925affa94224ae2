/**
 * What a deployment package would create, checked before anything is created: every path inside
 * the package's root, no path twice, none through a symbolic link or a file of the package, and
 * every symbolic link resolving inside the root. Resolution is simulated through the package's own
 * links, component by component as the kernel walks a path, so `a/w1 -> ..` followed by
 * `a/w1/w2 -> ..` (each harmless as text) is seen for what it reaches. Pure: no I/O.
 */

export type EntryKind = "directory" | "file" | "symlink";

/** A package refused for what it holds; the message is the one the caller is given. */
export class PackageRefusal extends Error {
  override readonly name = "PackageRefusal";
}

export interface LaidOutEntry<E> {
  /** Relative to the package's root, `/`-separated, with no `.`, `..` or empty component. */
  readonly path: string;
  readonly entry: E;
}

export interface PackageLayout<E> {
  /** Every folder to create (named or implied), each after its parent. */
  readonly directories: readonly string[];
  readonly files: readonly LaidOutEntry<E>[];
  readonly links: readonly (LaidOutEntry<E> & { readonly target: string })[];
}

/** Linux's MAXSYMLINKS: how many links one path lookup may follow. */
export const maxLinkHops = 40;
/** PATH_MAX less its NUL: the longest target a symbolic link may hold, and the longest path. */
export const maxLinkTargetBytes = 4095;
const maxPathBytes = 4095;
const maxNameBytes = 255;

const typeMask = 0o170000;
const symlinkType = 0o120000;
const directoryType = 0o040000;

export function kindOf(entry: { readonly name: string; readonly mode: number }): EntryKind {
  if (entry.name.endsWith("/") || (entry.mode & typeMask) === directoryType) return "directory";
  return (entry.mode & typeMask) === symlinkType ? "symlink" : "file";
}

const shown = (text: string) => text.replaceAll("\0", "\\0");
const refuse = (what: string, name: string) =>
  new PackageRefusal(`The deployment package holds ${what}: ${shown(name)}`);
const refuseLink = (what: string, name: string, target: string) =>
  refuse(`a symbolic link that ${what}`, `${name} -> ${target}`);

const utf8Length = (text: string) => (text.length * 3 <= maxNameBytes ? 0 : Buffer.byteLength(text));

/** The entry's path as components, or a refusal when it is absolute, escapes or cannot be a name. */
function componentsOf(name: string): string[] {
  if (name.includes("\0")) throw refuse("a path with a NUL character", name);
  if (name.startsWith("/")) throw refuse("a path outside its root", name);
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.pop() === undefined) throw refuse("a path outside its root", name);
      continue;
    }
    if (utf8Length(part) > maxNameBytes) throw refuse(`a name longer than ${maxNameBytes} bytes`, name);
    parts.push(part);
  }
  if (Buffer.byteLength(parts.join("/")) > maxPathBytes) {
    throw refuse(`a path longer than ${maxPathBytes} bytes`, name);
  }
  return parts;
}

interface Node<E> {
  readonly path: string;
  readonly parent: Node<E> | undefined;
  readonly children: Map<string, Node<E>>;
  kind: EntryKind;
  /** The entry that names this path; undefined for a folder only implied by a deeper path. */
  entry: E | undefined;
  /** The first entry beneath this path, named when a file or link turns out to be above it. */
  firstBelow: string | undefined;
  target?: string;
}

const newNode = <E>(parent: Node<E> | undefined, name: string): Node<E> => ({
  path: parent?.path ? `${parent.path}/${name}` : name,
  parent,
  children: new Map(),
  kind: "directory",
  entry: undefined,
  firstBelow: undefined,
});

/** Where a path lands: a node of the package, `below` components further down paths it does not hold. */
type Resolution<E> =
  | { readonly at: Node<E>; readonly below: number; readonly hops: number }
  | "outside"
  | "loop";

/**
 * Follows each link's target through the package as the kernel would, memoized per link so a
 * package of many links costs the length of their targets, not the product of them.
 */
function linkResolver<E>(root: Node<E>) {
  const pending = "pending" as const;
  const memo = new Map<Node<E>, Resolution<E> | typeof pending>();

  function resolveLink(link: Node<E>, depth: number): Resolution<E> {
    const known = memo.get(link);
    if (known === pending) return "loop";
    if (known !== undefined) return known;
    if (depth > maxLinkHops) return "loop";
    memo.set(link, pending);
    const result = walk(link.parent ?? root, link.target ?? "", depth);
    memo.set(link, result);
    return result;
  }

  function walk(from: Node<E>, target: string, depth: number): Resolution<E> {
    if (target.startsWith("/")) return "outside";
    let at = from;
    let below = 0;
    let hops = 1;
    for (const part of target.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (below > 0) below--;
        else if (at.parent) at = at.parent;
        else return "outside";
        continue;
      }
      if (below > 0) {
        below++;
        continue;
      }
      const child = at.children.get(part);
      if (!child) below = 1;
      else if (child.kind !== "symlink") at = child;
      else {
        const through = resolveLink(child, depth + 1);
        if (typeof through === "string") return through;
        hops += through.hops;
        if (hops > maxLinkHops) return "loop";
        at = through.at;
        below = through.below;
      }
    }
    return { at, below, hops };
  }

  return (link: Node<E>) => resolveLink(link, 1);
}

/**
 * The package's layout, or a PackageRefusal naming the first entry at fault. `linkTarget` reads a
 * link entry's target; it is asked only for links, after every path has been checked.
 */
export function layOutPackage<E extends { readonly name: string; readonly mode: number }>(
  entries: readonly E[],
  linkTarget: (entry: E) => string,
): PackageLayout<E> {
  const root = newNode<E>(undefined, "");
  const placed: Node<E>[] = [];
  for (const entry of entries) {
    const kind = kindOf(entry);
    const parts = componentsOf(entry.name);
    if (parts.length === 0) {
      if (kind === "directory") continue;
      throw refuse("a file with no name", entry.name);
    }
    let node = root;
    for (const [i, part] of parts.entries()) {
      let child = node.children.get(part);
      if (!child) {
        child = newNode(node, part);
        node.children.set(part, child);
      }
      if (i < parts.length - 1) {
        if (child.kind === "symlink") throw refuse("a path under a symbolic link", entry.name);
        if (child.kind === "file") throw refuse("a path under a file", entry.name);
        child.firstBelow ??= entry.name;
      }
      node = child;
    }
    if (node.entry !== undefined) throw refuse("the same path twice", entry.name);
    if (kind !== "directory" && node.firstBelow !== undefined) {
      throw refuse(`a path under a ${kind === "symlink" ? "symbolic link" : "file"}`, node.firstBelow);
    }
    node.kind = kind;
    node.entry = entry;
    placed.push(node);
  }

  const links = placed.filter((node) => node.kind === "symlink");
  for (const node of links) {
    const name = node.entry!.name;
    const target = linkTarget(node.entry!);
    if (target === "") throw refuse("a symbolic link with no target", name);
    if (target.includes("\0")) throw refuseLink("has a NUL character in its target", name, target);
    node.target = target;
  }
  const resolve = linkResolver(root);
  for (const node of links) {
    const resolution = resolve(node);
    if (resolution === "outside") throw refuseLink("points outside it", node.entry!.name, node.target!);
    if (resolution === "loop") {
      throw refuseLink(
        `does not resolve (more than ${maxLinkHops} links on the way)`,
        node.entry!.name,
        node.target!,
      );
    }
  }

  const directories: string[] = [];
  const visit = (node: Node<E>) => {
    for (const child of node.children.values()) {
      if (child.kind !== "directory") continue;
      directories.push(child.path);
      visit(child);
    }
  };
  visit(root);
  return {
    directories,
    files: placed
      .filter((node) => node.kind === "file")
      .map((node) => ({ path: node.path, entry: node.entry! })),
    links: links.map((node) => ({ path: node.path, entry: node.entry!, target: node.target! })),
  };
}
