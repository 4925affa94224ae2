// Waiting in tests: for a condition, never for a length of time. How long something takes depends
// on the machine and on what else runs on it; the deadline is only there so a test that can never
// pass fails instead of hanging, so it is generous.

/** Polls `check` every 100 ms until it holds, or fails with `why` after `ms` (default 60 s). */
export async function until(
  check: () => boolean | Promise<boolean>,
  why: string | (() => string),
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(typeof why === "string" ? `timed out waiting for ${why}` : why());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
