/**
 * Who is calling: verifies the request's SigV4 signature against the access keys the platform
 * issued and checks the session token of temporary credentials.
 */
import { type AuthFailure, authError } from "./auth-errors.js";
import type { Caller, WireProtocol } from "./service.js";
import {
  type HeaderSource,
  SigV4Error,
  type SigV4Inspection,
  type SigV4Request,
  verifySigV4,
} from "./sigv4-verify.js";

/** What the edge needs to know about an access key; the identity subsystem supplies it. */
export interface CredentialRecord {
  readonly secretAccessKey: string;
  readonly caller: Caller;
  /** Set for temporary credentials: the request must present the same token. */
  readonly sessionToken?: string;
  readonly expiresAt?: Date;
}

export interface CredentialLookup {
  /** Synchronous when the key is cached, so the common case costs no extra turn of the event loop. */
  find(accessKeyId: string): CredentialRecord | undefined | Promise<CredentialRecord | undefined>;
}

export interface AuthenticateOptions {
  readonly credentials: CredentialLookup;
  readonly now: () => Date;
}

export interface Authenticated {
  readonly caller: Caller;
  readonly region: string;
  readonly service: string;
}

/**
 * Verifies `req` or throws the AWS error the protocol uses for that failure. Returns a promise
 * only when the key had to be fetched from the store.
 */
export function authenticate(
  req: SigV4Request<HeaderSource>,
  inspection: SigV4Inspection,
  protocol: WireProtocol,
  options: AuthenticateOptions,
): Authenticated | Promise<Authenticated> {
  const accessKeyId = inspection.scope?.accessKeyId;
  const found = accessKeyId ? options.credentials.find(accessKeyId) : undefined;
  if (found instanceof Promise)
    return found.then((record) => check(req, inspection, protocol, options, record));
  return check(req, inspection, protocol, options, found);
}

function check(
  req: SigV4Request<HeaderSource>,
  inspection: SigV4Inspection,
  protocol: WireProtocol,
  options: AuthenticateOptions,
  record: CredentialRecord | undefined,
): Authenticated {
  const now = options.now();
  let verified: ReturnType<typeof verifySigV4>;
  try {
    // The record was looked up by the key id the scope claims; hand it only for that same id.
    const claimed = inspection.scope?.accessKeyId;
    const secretFor = (id: string) => (id === claimed ? record : undefined);
    verified = verifySigV4(req, { now, secretFor, normalizePath }, inspection);
  } catch (error) {
    if (error instanceof SigV4Error) throw authError(error.reason as AuthFailure, protocol, error.message);
    throw error;
  }
  if (!record) throw authError("unknown-key", protocol, "");
  if (record.sessionToken !== undefined || verified.sessionToken !== undefined) {
    if (record.sessionToken !== verified.sessionToken) throw authError("invalid-token", protocol, "");
  }
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) {
    throw authError("expired-token", protocol, "");
  }
  return { caller: record.caller, region: verified.region, service: verified.service };
}

/** S3 signs its paths as sent; every other service normalises them. */
function normalizePath(service: string): boolean {
  return service !== "s3";
}
