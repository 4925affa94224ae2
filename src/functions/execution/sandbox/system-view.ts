/**
 * The part of the host every sandbox sees, read-only: /usr (and the top-level links into it)
 * and the few files of /etc that programs need to resolve names, trust certificates and find
 * libraries. Nothing else of the host, and nothing of Jeff's: the users the sandbox knows are
 * Lambda's, not the host's (`sandboxPasswd`).
 */
import { existsSync, lstatSync, readlinkSync } from "node:fs";

let view: string[] | undefined;

/** bubblewrap arguments for the system view, worked out once. */
export function systemView(): string[] {
  if (view) return view;
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) args.push(...topLevel(top));
  for (const file of etcFiles) args.push("--ro-bind-try", file, file);
  view = args;
  return args;
}

/** `/bin` and the like: the same symlink into /usr on a merged-/usr system, else a read-only copy. */
function topLevel(path: string): string[] {
  if (!existsSync(path)) return [];
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return ["--symlink", readlinkSync(path), path];
  return ["--ro-bind", path, path];
}

/** What programs need of /etc to resolve names, trust certificates and find libraries; nothing else. */
const etcFiles = [
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/nsswitch.conf",
  "/etc/host.conf",
  "/etc/gai.conf",
  "/etc/services",
  "/etc/protocols",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/etc/pki",
  "/etc/alternatives",
  "/etc/localtime",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/mime.types",
];

/** Lambda's sandbox user, which the function runs as: uid 993, gid 990. */
export const sandboxUser = { name: "sbx_user1051", uid: 993, gid: 990 } as const;

/**
 * The sandbox's /etc/passwd, as on Lambda: the function's own user, so `whoami`, Python's
 * `getpass.getuser()` and `Path.owner()`, or anything else that asks `getpwuid` who it is, get
 * `sbx_user1051` rather than an error; root; and `nobody`, the kernel's name for any uid outside
 * the sandbox's user namespace. Never the host's users. No home folder exists (Lambda sets no
 * HOME either).
 */
export const sandboxPasswd = [
  "root:x:0:0:root:/root:/sbin/nologin",
  `${sandboxUser.name}:x:${sandboxUser.uid}:${sandboxUser.gid}::/home/${sandboxUser.name}:/sbin/nologin`,
  "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin",
  "",
].join("\n");
