/**
 * Sessions of a role, as Lambda opens one for each execution environment of a function: temporary
 * credentials (`ASIA…` with a session token and an expiry) whose principal is
 * `arn:aws:sts::ACCOUNT:assumed-role/ROLE_NAME/SESSION_NAME`, with the user id `ROLE_ID:SESSION_NAME`.
 * Until IAM roles are records of their own, any well-formed role ARN can be assumed this way and
 * its unique id is derived from its ARN, so the same role always has the same `AROA…` id.
 */
import type { SqlExecutor } from "../store/index.js";
import { insertAccessKey, type TemporaryKey, temporaryKeyFor } from "./access-keys.js";
import { derivedPrincipalId } from "./identifiers.js";

export interface RoleSessionRequest {
  /** The account the session acts in. */
  readonly accountId: string;
  /** `arn:aws:iam::ACCOUNT:role/[PATH/]NAME`. */
  readonly roleArn: string;
  /** Lambda names the session after the function. */
  readonly sessionName: string;
  readonly expiresAt: Date;
}

/** Issues and stores temporary credentials for a session of `roleArn`. */
export async function issueRoleSession(db: SqlExecutor, request: RoleSessionRequest): Promise<TemporaryKey> {
  const key = temporaryKeyFor(
    {
      accountId: request.accountId,
      principalArn: assumedRoleArn(request.roleArn, request.accountId, request.sessionName),
      principalId: `${roleIdOf(request.roleArn)}:${request.sessionName}`,
    },
    request.expiresAt,
  );
  await insertAccessKey(db, key);
  return key;
}

/** The session's ARN: STS's, without the role's path, as AWS writes it. */
export function assumedRoleArn(roleArn: string, accountId: string, sessionName: string): string {
  const partition = roleArn.split(":")[1] || "aws";
  return `arn:${partition}:sts::${accountId}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`;
}

/** `NAME` of `arn:aws:iam::ACCOUNT:role/PATH/NAME`. */
export function roleNameOf(roleArn: string): string {
  const resource = roleArn.slice(roleArn.indexOf(":role") + ":role".length);
  const segments = resource.split("/").filter(Boolean);
  return segments.at(-1) ?? resource;
}

/** The role's unique id: IAM's `AROA…` shape, the same for the same ARN every time. */
export function roleIdOf(roleArn: string): string {
  return derivedPrincipalId("AROA", roleArn);
}
