import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // JEFF_STORE_GUARD: every store in the tests (and in the servers they start) refuses
    // nested use instead of hanging, so a mistake fails loudly.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", JEFF_STORE_GUARD: "1" },
    globalSetup: ["test/global-setup.ts"],
  },
});
