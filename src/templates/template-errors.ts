/**
 * The two shapes a template problem takes. Validation collects `TemplateError`s as data so a caller
 * sees every problem at once; evaluation (which walks one value at a time) throws an
 * `IntrinsicError` that carries the path, and callers turn it into a `TemplateError`.
 *
 * Messages follow CloudFormation's wording where it is known, without its "Template format error:"
 * prefix: the engine adds that when it answers `ValidateTemplate`/`CreateStack` with a
 * `ValidationError` (HTTP 400), because that prefix belongs to the API, not to the finding.
 */

export interface TemplateError {
  /** The resource, parameter, condition or output the problem belongs to, when there is one. */
  logicalId?: string;
  /** Where in the template, e.g. `Resources.MyQueue.Properties.Timeout`; `""` for the whole template. */
  path: string;
  message: string;
  /** 1-based position in the source text; set only by the loader, which is the only code that sees text. */
  line?: number;
  column?: number;
}

/** The AWS error code every template problem maps to on the wire. */
export const TEMPLATE_ERROR_CODE = "ValidationError";

export class IntrinsicError extends Error {
  override readonly name = "IntrinsicError";
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

/** The logical id a path belongs to: the second segment of `Resources.X…`, `Outputs.X…` and the like. */
export function logicalIdOfPath(path: string): string | undefined {
  const match = /^(?:Resources|Outputs|Parameters|Conditions|Mappings)\.([^.[]+)/.exec(path);
  return match?.[1];
}

export function templateError(
  path: string,
  message: string,
  logicalId = logicalIdOfPath(path),
): TemplateError {
  return logicalId === undefined ? { path, message } : { logicalId, path, message };
}

export function intrinsicErrorToTemplateError(error: IntrinsicError): TemplateError {
  return templateError(error.path, error.message);
}
