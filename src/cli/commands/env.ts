/** `jeff env`: the environment lines that point the AWS CLI and SDKs at this Jeff. */
import { createOutput } from "../output.js";
import { dataDirFor, defaultEndpoint, readInstallation, runningServer } from "../project.js";

export async function runEnv(flags: { dataDir?: string; store?: string; json?: boolean }): Promise<void> {
  const out = createOutput(flags.json === true);
  const dataDir = dataDirFor(process.cwd(), flags.dataDir);
  const installation = await readInstallation(dataDir, ...(flags.store ? [flags.store] : []));
  const endpoint = (await runningServer(dataDir)) ?? defaultEndpoint();
  const values = {
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_ACCESS_KEY_ID: installation.developerKey.accessKeyId,
    AWS_SECRET_ACCESS_KEY: installation.developerKey.secretAccessKey,
    AWS_REGION: endpoint.region,
  };
  const lines = Object.entries(values).map(([name, value]) => `export ${name}=${value}`);
  out.result(lines.join("\n"), values);
}
