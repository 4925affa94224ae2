/**
 * restJson1 request-URI templates as AWS's models write them: `{Label}` takes one path segment,
 * `{Key+}` the rest of the path, and a query after `?` (`/2018-10-31/layers?find=LayerVersion`)
 * is a literal the request must carry. A trailing slash on either side is ignored.
 */

type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "label"; readonly name: string; readonly greedy: boolean };

export interface RequestUriTemplate {
  readonly template: string;
  readonly segments: readonly Segment[];
  /** Query parameters the template fixes: `find=LayerVersion` → `["find", "LayerVersion"]`. */
  readonly query: readonly (readonly [string, string])[];
}

export function parseRequestUri(template: string): RequestUriTemplate {
  const q = template.indexOf("?");
  const path = q === -1 ? template : template.slice(0, q);
  const query = q === -1 ? [] : [...new URLSearchParams(template.slice(q + 1))];
  const segments = splitPath(path).map((part): Segment => {
    const label = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    return label
      ? { kind: "label", name: label[1] ?? "", greedy: label[2] === "+" }
      : { kind: "literal", text: part };
  });
  return { template, segments, query };
}

/**
 * The labels' values (percent-decoded) if the request's path and query fit the template, else
 * undefined. A label never matches an empty segment.
 */
export function matchRequestUri(
  template: RequestUriTemplate,
  path: string,
  query?: URLSearchParams,
): Record<string, string> | undefined {
  return matchPathParts(template, splitPath(path), query);
}

/** `matchRequestUri` for a path already split (`splitPath`), for trying many templates on one path. */
export function matchPathParts(
  template: RequestUriTemplate,
  parts: readonly string[],
  query?: URLSearchParams,
): Record<string, string> | undefined {
  for (const [name, value] of template.query) {
    if (value === "" ? query?.has(name) !== true : query?.get(name) !== value) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < template.segments.length; i++) {
    const segment = template.segments[i]!;
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === "literal") {
      if (segment.text !== part) return undefined;
      continue;
    }
    const value = safeDecode(segment.greedy ? parts.slice(i).join("/") : part);
    if (value === undefined || value === "") return undefined;
    params[segment.name] = value;
    if (segment.greedy) return params;
  }
  return template.segments.length === parts.length ? params : undefined;
}

/** How specific a template is, to prefer `/layers?find=LayerVersion` over `/layers`, literals over labels. */
export function templateSpecificity(template: RequestUriTemplate): number {
  const literals = template.segments.filter((s) => s.kind === "literal").length;
  const greedy = template.segments.some((s) => s.kind === "label" && s.greedy);
  return literals * 100 + template.query.length * 10 + (greedy ? 0 : 1);
}

/** Raw segments of a path; an empty trailing segment (a trailing slash) is dropped. */
export function splitPath(path: string): string[] {
  const parts = path.split("/").slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
