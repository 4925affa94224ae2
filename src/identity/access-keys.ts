/**
 * Access keys as the store holds them, and the edge's view of them: a cache in front of the store
 * so that verifying a signature normally touches no disk.
 */
import type { CredentialLookup, CredentialRecord } from "../protocol/index.js";
import type { SqlExecutor } from "../store/index.js";
import { newAccessKeyId, newSecretAccessKey, newSessionToken } from "./identifiers.js";

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly principalArn: string;
  readonly principalId: string;
  readonly status: "Active" | "Inactive";
  readonly sessionToken?: string;
  readonly expiresAt?: Date;
}

interface AccessKeyRow {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  principal_arn: string;
  principal_id: string;
  status: "Active" | "Inactive";
  session_token: string | null;
  expires_at: string | null;
}

export async function insertAccessKey(db: SqlExecutor, key: AccessKey): Promise<void> {
  await db.run(
    `INSERT INTO iam_access_keys (access_key_id, secret_access_key, account_id, principal_arn, principal_id, status, session_token, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      key.accessKeyId,
      key.secretAccessKey,
      key.accountId,
      key.principalArn,
      key.principalId,
      key.status,
      key.sessionToken ?? null,
      key.expiresAt?.toISOString() ?? null,
      new Date().toISOString(),
    ],
  );
}

export async function findAccessKey(db: SqlExecutor, accessKeyId: string): Promise<AccessKey | undefined> {
  const row = await db.get<AccessKeyRow>("SELECT * FROM iam_access_keys WHERE access_key_id = ?", [
    accessKeyId,
  ]);
  if (!row) return undefined;
  return {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    accountId: row.account_id,
    principalArn: row.principal_arn,
    principalId: row.principal_id,
    status: row.status,
    ...(row.session_token ? { sessionToken: row.session_token } : {}),
    ...(row.expires_at ? { expiresAt: new Date(row.expires_at) } : {}),
  };
}

/** Forgets temporary credentials that have expired; they can never be used again. */
export async function purgeExpiredKeys(db: SqlExecutor, now: Date): Promise<void> {
  await db.run("DELETE FROM iam_access_keys WHERE expires_at IS NOT NULL AND expires_at < ?", [
    now.toISOString(),
  ]);
}

/** A key STS issued: it carries a session token and lapses. */
export type TemporaryKey = AccessKey & { readonly sessionToken: string; readonly expiresAt: Date };

/** Temporary credentials for a principal, as STS issues them. */
export function temporaryKeyFor(
  principal: Pick<AccessKey, "accountId" | "principalArn" | "principalId">,
  expiresAt: Date,
): TemporaryKey {
  return {
    ...principal,
    accessKeyId: newAccessKeyId("ASIA"),
    secretAccessKey: newSecretAccessKey(),
    status: "Active",
    sessionToken: newSessionToken(),
    expiresAt,
  };
}

/** Temporary credentials come and go; the cache starts over rather than grow without bound. */
const maxCachedKeys = 10_000;

/** How long an unknown key id is remembered as unknown, so a flood of bad keys does not reach the store. */
const negativeTtlMs = 5_000;

/** The edge's credential lookup: active keys from the store, cached. */
export class CachedCredentials implements CredentialLookup {
  private readonly known = new Map<string, CredentialRecord>();
  private readonly unknown = new Map<string, number>();

  constructor(private readonly db: SqlExecutor) {}

  find(accessKeyId: string): CredentialRecord | Promise<CredentialRecord | undefined> | undefined {
    const hit = this.known.get(accessKeyId);
    if (hit) {
      // An expired key is still answered (the edge refuses it as expired) but no longer kept.
      if (hit.expiresAt && hit.expiresAt.getTime() <= Date.now()) this.known.delete(accessKeyId);
      return hit;
    }
    const missedAt = this.unknown.get(accessKeyId);
    if (missedAt !== undefined && Date.now() - missedAt < negativeTtlMs) return undefined;
    return this.load(accessKeyId);
  }

  private async load(accessKeyId: string): Promise<CredentialRecord | undefined> {
    const key = await findAccessKey(this.db, accessKeyId);
    if (key?.status !== "Active") {
      if (this.unknown.size > 10_000) this.unknown.clear();
      this.unknown.set(accessKeyId, Date.now());
      return undefined;
    }
    const record: CredentialRecord = {
      secretAccessKey: key.secretAccessKey,
      caller: {
        accountId: key.accountId,
        arn: key.principalArn,
        userId: key.principalId,
        accessKeyId,
        ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}),
      },
      ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}),
      ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
    };
    this.unknown.delete(accessKeyId);
    if (this.known.size >= maxCachedKeys) this.known.clear();
    this.known.set(accessKeyId, record);
    return record;
  }
}
