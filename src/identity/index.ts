/**
 * @module identity
 * Who may call what. Owns the account, its users and their access keys (IAM's model), the STS API,
 * and the credential lookup the edge verifies signatures against.
 *
 * Invariant: a secret access key never leaves this subsystem except to the principal it was issued
 * to (in `jeff env`, in the STS response that created it, or to the one function environment a
 * role session was opened for).
 */
export { type AccessKey, findAccessKey, purgeExpiredKeys } from "./access-keys.js";
export { administratorName, ensureInstallation, findInstallation, type Installation } from "./bootstrap.js";
export { CachedCredentials } from "./cached-credentials.js";
export { identityMigrations } from "./identity-schema.js";
export { type PresignRequest, presignedUrl } from "./presigned-url.js";
export { issueRoleSession, type RoleSessionRequest } from "./role-sessions.js";
export { createStsService } from "./sts-service.js";
export { identitySubsystem } from "./subsystem.js";
