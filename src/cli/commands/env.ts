/** `jeff env`: the environment lines that point the AWS CLI and SDKs at this Jeff. */

import { envVars } from "../../server/env-vars.js";
import { type DeployTarget, remoteTarget } from "../deployer.js";
import { createOutput } from "../output.js";
import { dataDirFor, defaultEndpoint, readInstallation, runningServer } from "../project.js";
import { callSignedRoute } from "../signed-route.js";

export interface EnvFlags {
  dataDir?: string;
  store?: string;
  endpoint?: string;
  json?: boolean;
}

export async function runEnv(flags: EnvFlags): Promise<void> {
  const out = createOutput(flags.json === true);
  const dataDir = dataDirFor(process.cwd(), flags.dataDir);
  const endpoint = flags.endpoint ?? (process.env[envVars.endpoint] || undefined);
  const target =
    endpoint === undefined
      ? await localTarget(dataDir, flags.store)
      : await checkedRemoteTarget(endpoint, flags);
  const values = {
    AWS_ENDPOINT_URL: target.endpoint,
    AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
    ...(target.credentials.sessionToken ? { AWS_SESSION_TOKEN: target.credentials.sessionToken } : {}),
    AWS_REGION: target.region,
  };
  const lines = Object.entries(values).map(([name, value]) => `export ${name}=${value}`);
  out.result(lines.join("\n"), values);
}

/** The developer's keys from the store here (or at `--store`), for the Jeff serving it. */
async function localTarget(dataDir: string, store: string | undefined): Promise<DeployTarget> {
  const installation = await readInstallation(dataDir, ...(store ? [store] : []));
  const { url, region } = (await runningServer(dataDir)) ?? defaultEndpoint();
  const { accessKeyId, secretAccessKey } = installation.developerKey;
  return { endpoint: url, region, credentials: { accessKeyId, secretAccessKey } };
}

/**
 * A Jeff on another machine: the keys are the developer's from the shared store when `--store`
 * names it, else the ones in the environment; either way they are checked against the endpoint
 * before they are printed.
 */
async function checkedRemoteTarget(endpoint: string, flags: EnvFlags): Promise<DeployTarget> {
  const store = flags.store ?? (process.env[envVars.store] || undefined);
  let target: DeployTarget;
  if (store === undefined) target = remoteTarget(endpoint);
  else {
    const { accessKeyId, secretAccessKey } = (
      await readInstallation(dataDirFor(process.cwd(), flags.dataDir), store)
    ).developerKey;
    target = remoteTarget(endpoint, { accessKeyId, secretAccessKey });
  }
  await callSignedRoute(target, "/_jeff/nodes");
  return target;
}
