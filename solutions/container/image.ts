/**
 * OCI images (image-spec: image-layout.md, image-index.md, manifest.md,
 * config.md, layer.md), this runtime's own command (runc has none; umoci
 * and containerd do this before a runtime runs):
 *
 *   main.ts --root <dir> unpack <layout dir> <ref> <bundle dir>
 *
 * 1. index.json: the manifest whose org.opencontainers.image.ref.name is <ref>;
 *    every blob read is checked against its sha256 digest.
 * 2. Each layer (tar, gzip-compressed or not) is unpacked once, into
 *    <root>/layers/<digest>/, shared by every bundle unpacked under that root,
 *    in the form overlayfs reads: a whiteout .wh.<name> becomes a character
 *    device 0:0 named <name>; an opaque-directory marker .wh..wh..opq becomes
 *    the xattr trusted.overlay.opaque=y on its directory.
 * 3. The bundle gets config.json (process from the image's config: Entrypoint
 *    and Cmd, Env, WorkingDir), an empty rootfs/, and upper/ and work/ for the
 *    container's own writes; the layer directories, top first, are in the
 *    annotation org.syscraft.rootfs.lowerdirs.
 *
 * At run, init mounts the overlay (lowerdir: the layers, upperdir: the
 * bundle's upper/) on rootfs/ in the container's mount namespace, before the
 * rest of the root is built (image-root.ts).
 */
import { chmodSync, existsSync, lchownSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LOWERDIRS } from "./image-root.ts";
import { readTar, type TarEntry } from "./image-tar.ts";
import { check, cstr, libc, MS } from "./libc.ts";
import type { Quirks } from "./quirks.ts";

declare module "./quirks.ts" {
  interface Quirks {
    /** Take the first manifest of index.json, whatever the ref. */
    imageFirstManifest?: boolean;
    /** Stack the layers the other way round (the first layer on top). */
    imageLayersReversed?: boolean;
    /** Unpack .wh.<name> files as they are, without hiding <name>. */
    imageWhiteoutsIgnored?: boolean;
    /** Unpack .wh..wh..opq as a file, without making its directory opaque. */
    imageOpaqueIgnored?: boolean;
    /** Ignore the image config's Env. */
    imageEnvIgnored?: boolean;
    /** Let every container write into the top layer (shared by all bundles) instead of its bundle's upper/. */
    imageSharedUpper?: boolean;
    /** Do not check blobs against their digests. */
    imageDigestsUnchecked?: boolean;
  }
}


const REF_NAME = "org.opencontainers.image.ref.name";
const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

type Json = Record<string, any>;


/** A blob of the layout, checked against its digest (image-spec descriptor.md "Digests"). */
function blob(layout: string, d: Descriptor, quirks: Quirks): Buffer {
  const [algorithm, hex] = d.digest.split(":");
  if (algorithm !== "sha256" || !/^[0-9a-f]{64}$/.test(hex ?? "")) throw new Error(`unsupported digest ${d.digest}`);
  const data = readFileSync(join(layout, "blobs", "sha256", hex!));
  if (!quirks.imageDigestsUnchecked) {
    const actual = (require("node:crypto") as typeof import("node:crypto")).createHash("sha256").update(data).digest("hex");
    if (actual !== hex) throw new Error(`blob ${d.digest}: its content has digest sha256:${actual}`);
    if (data.length !== d.size) throw new Error(`blob ${d.digest}: ${data.length} bytes, its descriptor says ${d.size}`);
  }
  return data;
}

const json = (layout: string, d: Descriptor, quirks: Quirks): Json => JSON.parse(blob(layout, d, quirks).toString("utf8"));

function layerTar(layout: string, d: Descriptor, quirks: Quirks): Buffer {
  const data = blob(layout, d, quirks);
  if (/tar\+gzip$|tar\.gzip$/.test(d.mediaType)) return (require("node:zlib") as typeof import("node:zlib")).gunzipSync(data); // loaded here: init.ts imports this file too, and start-up time counts
  if (/tar$/.test(d.mediaType)) return data;
  throw new Error(`layer ${d.digest}: media type ${d.mediaType} is not supported`);
}

/** Writes one tar entry under `dir`, turning whiteouts into overlayfs's own form. */
function extract(dir: string, e: TarEntry, quirks: Quirks): void {
  if (e.path === "" || e.path.split("/").includes("..")) {
    if (e.path === "" && e.type === "dir") return;
    throw new Error(`layer entry ${JSON.stringify(e.path)} leaves the layer`);
  }
  const path = join(dir, e.path);
  const base = e.path.split("/").pop()!;
  mkdirSync(dirname(path), { recursive: true });
  if (base === OPAQUE && !quirks.imageOpaqueIgnored) {
    check(libc.setxattr(cstr(dirname(path)), cstr("trusted.overlay.opaque"), Buffer.from("y"), 1, 0), `setxattr trusted.overlay.opaque on ${dirname(e.path)}`);
    return;
  }
  if (base.startsWith(WHITEOUT) && base !== OPAQUE && !quirks.imageWhiteoutsIgnored) {
    const hidden = join(dirname(path), base.slice(WHITEOUT.length));
    rmSync(hidden, { recursive: true, force: true });
    check(libc.mknod(cstr(hidden), 0o020000, 0n), `whiteout ${e.path}`); // a character device 0:0
    return;
  }
  if (e.type !== "dir") rmSync(path, { recursive: true, force: true });
  switch (e.type) {
    case "dir":
      mkdirSync(path, { recursive: true });
      break;
    case "file":
      writeFileSync(path, e.content);
      break;
    case "symlink":
      symlinkSync(e.linkname, path);
      break;
    case "hardlink":
      linkSync(join(dir, e.linkname.replace(/^(\.\/|\/)+/, "")), path);
      break;
    default: {
      const kind = { char: 0o020000, block: 0o060000, fifo: 0o010000 }[e.type];
      check(libc.mknod(cstr(path), kind | e.mode, BigInt((e.devmajor << 8) | e.devminor)), `mknod ${e.path}`);
    }
  }
  if (e.type === "hardlink") return;
  lchownSync(path, e.uid, e.gid);
  if (e.type !== "symlink") chmodSync(path, e.mode);
}

/** The layer's directory in the store, unpacked if it is not there yet (into a temporary name, then renamed). */
function storedLayer(root: string, layout: string, d: Descriptor, quirks: Quirks): string {
  const dir = join(root, "layers", d.digest.replace(":", "-"));
  if (existsSync(dir)) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const entry of readTar(layerTar(layout, d, quirks))) extract(partial, entry, quirks);
  try {
    renameSync(partial, dir);
  } catch (e) {
    // Another unpack stored the same layer meanwhile: use its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw e;
  }
  return dir;
}

/** The manifest descriptor index.json names `ref` with (image-layout.md "index.json"). */
function manifestFor(layout: string, ref: string, quirks: Quirks): Descriptor {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests?: Descriptor[] };
  const manifests = index.manifests ?? [];
  const found = quirks.imageFirstManifest ? manifests[0] : manifests.find((m) => m.annotations?.[REF_NAME] === ref);
  if (found === undefined) throw new Error(`${layout}/index.json has no manifest named "${ref}" (annotation ${REF_NAME})`);
  return found;
}

/** Returns the image config's config (Entrypoint, Cmd…: the CLI of cli.ts needs them apart). */
export function unpack(root: string, layoutArg: string, ref: string, bundleArg: string, quirks: Quirks): Json {
  const layout = resolve(layoutArg);
  const bundle = resolve(bundleArg);
  const manifest = json(layout, manifestFor(layout, ref, quirks), quirks);
  const image = json(layout, manifest.config as Descriptor, quirks);
  const layers = (manifest.layers as Descriptor[]).map((d) => storedLayer(resolve(root), layout, d, quirks));
  const c = (image.config ?? {}) as Json;
  const args = [...((c.Entrypoint as string[] | null) ?? []), ...((c.Cmd as string[] | null) ?? [])];
  if (args.length === 0) throw new Error("the image's config has neither Entrypoint nor Cmd: nothing to run");
  for (const d of ["rootfs", "upper", "work"]) mkdirSync(join(bundle, d), { recursive: true });
  const config = {
    ociVersion: "1.0.2",
    process: { terminal: false, user: { uid: 0, gid: 0 }, args, env: quirks.imageEnvIgnored ? ["PATH=/bin:/usr/bin"] : ((c.Env as string[] | undefined) ?? []), cwd: (c.WorkingDir as string | undefined) || "/" },
    root: { path: "rootfs", readonly: false },
    mounts: [{ destination: "/proc", type: "proc", source: "proc" }],
    linux: { namespaces: [{ type: "pid" }, { type: "mount" }] },
    // overlayfs's lowerdir lists the top layer first; the manifest lists the base layer first.
    annotations: { [LOWERDIRS]: (quirks.imageLayersReversed ? layers : [...layers].reverse()).join(":") },
  };
  writeFileSync(join(bundle, "config.json"), JSON.stringify(config, null, 2));
  return c;
}
