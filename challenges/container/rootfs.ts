/**
 * A container root file system from Debian's busybox-static: /bin/busybox
 * and a link for each of its applets, plus the directories a config.json
 * mounts on. Used by the stages (stages/container/bundle.ts) and the
 * benchmark (bench-workload.ts).
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";

export const BUSYBOX = "/bin/busybox";
let applets: string[] | undefined;

/** busybox's applet names; throws when busybox is not the static one (the root has no C library). */
export function busyboxApplets(): string[] {
  if (applets) return applets;
  const head = readFileSync(BUSYBOX).subarray(0, 8192);
  if (head.includes(Buffer.from("ld-linux"))) throw new Error(`${BUSYBOX} is linked dynamically: the container's root has no C library; install busybox-static (apt-get install busybox-static)`);
  const out = Bun.spawnSync([BUSYBOX, "--list"]);
  applets = out.stdout.toString().split("\n").filter((a) => a !== "" && a !== "busybox");
  return applets;
}

/** Fills `rootfs` (made if needed) with busybox and the usual top-level directories. */
export function buildRootfs(rootfs: string): void {
  for (const d of ["bin", "dev", "etc", "proc", "root", "sys", "tmp"]) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, "bin", "busybox"));
  for (const a of busyboxApplets()) symlinkSync("busybox", join(rootfs, "bin", a));
}
