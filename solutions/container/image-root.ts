/**
 * The part of images (image.ts) every container start needs: whether the bundle is an unpacked image, and if so its
 * overlay mounted on rootfs/. Apart from image.ts so that a plain container does not load the tar reader.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { check, cstr, libc, MS } from "./libc.ts";
import type { Quirks } from "./quirks.ts";

/** The annotation of config.json that names an unpacked image's layer directories, top first (image.ts writes it). */
export const LOWERDIRS = "org.syscraft.rootfs.lowerdirs";

/** In the container's mount namespace: the overlay of an unpacked image on the bundle's rootfs/, if config.json has one. */
export function mountImageRoot(bundle: string, rootfs: string, quirks: Quirks): void {
  const raw = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as { annotations?: Record<string, string> };
  const lowers = raw.annotations?.[LOWERDIRS];
  if (lowers === undefined) return;
  // Private first, so that the overlay does not propagate back to the host's mount namespace.
  check(libc.mount(null, cstr("/"), null, MS.REC | MS.PRIVATE, null), "make / private");
  let [lower, upper, work] = [lowers, join(bundle, "upper"), join(bundle, "work")];
  if (quirks.imageSharedUpper) {
    const [top, ...rest] = lowers.split(":");
    [lower, upper, work] = [rest.join(":"), top!, `${top}.work`];
    mkdirSync(work, { recursive: true });
  }
  check(libc.mount(cstr("overlay"), cstr(rootfs), cstr("overlay"), 0, cstr(`lowerdir=${lower},upperdir=${upper},workdir=${work}`)), "mount the image's overlay on rootfs");
}
