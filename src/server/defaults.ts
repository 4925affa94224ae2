/** Defaults a user sees in help and docs, apart from the config schema so the CLI loads fast. */
export const defaultPort = 4747;
export const defaultRegion = "us-east-1";
