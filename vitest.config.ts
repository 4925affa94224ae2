import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Deadlines only, so a hung test fails rather than hangs: tests wait for conditions, never
    // for time, and a busy two-core machine takes several times longer to start servers and
    // function environments than an idle one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // JEFF_STORE_GUARD: every store in the tests (and in the servers they start) refuses
    // nested use instead of hanging, so a mistake fails loudly.
    // JEFF_ISOLATION: functions run in the sandbox where this machine can build one; .ci/run
    // sets `sandbox`, so CI fails rather than quietly testing the weaker mode.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      JEFF_STORE_GUARD: "1",
      JEFF_ISOLATION: process.env.JEFF_ISOLATION ?? "auto",
    },
    globalSetup: ["test/global-setup.ts"],
  },
});
