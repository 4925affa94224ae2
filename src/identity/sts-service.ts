/**
 * STS over awsQuery: `GetCallerIdentity`, the first call anyone makes, and `GetSessionToken`,
 * which issues temporary credentials (an `ASIA…` key with a session token).
 */
import { mutates, type QueryService, reads, stsModel } from "../protocol/index.js";
import { insertAccessKey, purgeExpiredKeys, temporaryKeyFor } from "./access-keys.js";
import { stsErrors } from "./sts-errors.js";

const sessionDuration = { min: 900, max: 129_600, default: 43_200 } as const;

export function createStsService(): QueryService {
  return {
    signingName: "sts",
    model: stsModel,
    protocol: "awsQuery",
    xmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
    operations: {
      GetCallerIdentity: {
        ...reads("sts:GetCallerIdentity"),
        handler: async (_params, ctx) => ({
          UserId: ctx.caller.userId,
          Account: ctx.caller.accountId,
          Arn: ctx.caller.arn,
        }),
      },
      GetSessionToken: {
        // Issuing credentials changes what can call Jeff: CloudTrail records it as a write.
        ...mutates("sts:GetSessionToken"),
        handler: async (params, ctx) => {
          if (ctx.caller.sessionToken !== undefined) {
            throw stsErrors.sessionFromSession();
          }
          const seconds = durationSeconds(params.DurationSeconds);
          const expiresAt = new Date(Date.now() + seconds * 1000);
          const key = temporaryKeyFor(
            { accountId: ctx.caller.accountId, principalArn: ctx.caller.arn, principalId: ctx.caller.userId },
            expiresAt,
          );
          return ctx.transaction(async (tx) => {
            await purgeExpiredKeys(tx, new Date());
            await insertAccessKey(tx, key);
            return {
              Credentials: {
                AccessKeyId: key.accessKeyId,
                SecretAccessKey: key.secretAccessKey,
                SessionToken: key.sessionToken,
                Expiration: expiresAt,
              },
            };
          });
        },
      },
    },
  };
}

function durationSeconds(raw: string | undefined): number {
  if (raw === undefined) return sessionDuration.default;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw stsErrors.notAnInteger("durationSeconds", raw);
  }
  if (value < sessionDuration.min || value > sessionDuration.max) {
    const bound =
      value < sessionDuration.min
        ? `greater than or equal to ${sessionDuration.min}`
        : `less than or equal to ${sessionDuration.max}`;
    throw stsErrors.outOfRange("durationSeconds", raw, bound);
  }
  return value;
}
