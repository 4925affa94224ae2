#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm's `prepare` builds dist/).

// The CLI talks to Jeff through the AWS SDK; its Node-version notice is about the SDK's future
// releases, not something a Jeff user can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { main } = await import("../dist/cli/index.js");
await main(process.argv);
