import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/stores.js";
import type { Store } from "../store/index.js";
import { findAccessKey, purgeExpiredKeys } from "./access-keys.js";
import { ensureInstallation, type Installation } from "./bootstrap.js";
import { CachedCredentials } from "./cached-credentials.js";
import { identityMigrations } from "./identity-schema.js";
import { assumedRoleArn, issueRoleSession, roleIdOf, roleNameOf } from "./role-sessions.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-role-sessions-"));
let store: Store;
let installation: Installation;
beforeAll(async () => {
  store = await openTestStore({ dataDir: dir, migrations: identityMigrations });
  installation = await ensureInstallation(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("role sessions", () => {
  it("names the session as STS does: the role's name without its path, then the session", () => {
    const role = "arn:aws:iam::123456789012:role/service-role/lambda-role";
    expect(roleNameOf(role)).toBe("lambda-role");
    expect(assumedRoleArn(role, "123456789012", "my-function")).toBe(
      "arn:aws:sts::123456789012:assumed-role/lambda-role/my-function",
    );
  });

  it("gives a role the same AROA id every time, and another role another one", () => {
    const id = roleIdOf("arn:aws:iam::123456789012:role/a");
    expect(id).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(roleIdOf("arn:aws:iam::123456789012:role/a")).toBe(id);
    expect(roleIdOf("arn:aws:iam::123456789012:role/b")).not.toBe(id);
  });

  it("issues temporary credentials whose caller is the assumed role, until they expire", async () => {
    const roleArn = `arn:aws:iam::${installation.accountId}:role/lambda-role`;
    const expiresAt = new Date(Date.now() + 3_600_000);
    const key = await issueRoleSession(store, {
      accountId: installation.accountId,
      roleArn,
      sessionName: "fn",
      expiresAt,
    });
    expect(key.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(key.sessionToken).toBeTruthy();
    expect(await findAccessKey(store, key.accessKeyId)).toEqual(key);
    const record = await new CachedCredentials(store).find(key.accessKeyId);
    expect(record?.caller).toEqual({
      accountId: installation.accountId,
      arn: `arn:aws:sts::${installation.accountId}:assumed-role/lambda-role/fn`,
      userId: `${roleIdOf(roleArn)}:fn`,
      accessKeyId: key.accessKeyId,
      sessionToken: key.sessionToken,
    });
    await purgeExpiredKeys(store, new Date(expiresAt.getTime() - 1));
    expect(await findAccessKey(store, key.accessKeyId)).toBeDefined();
    await purgeExpiredKeys(store, new Date(expiresAt.getTime() + 1));
    expect(await findAccessKey(store, key.accessKeyId)).toBeUndefined();
  });
});
