import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildRootfs } from "../../challenges/container/rootfs.ts";
import { requireBinary } from "../../harness/clients/require.ts";
import type { CommandResult } from "../../harness/clients/command.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle } from "./bundle.ts";
import { type Descriptor, Layout, put } from "./oci-layout.ts";

const REF = "Find the manifest in index.json's manifests whose annotations[\"org.opencontainers.image.ref.name\"] is the ref given to unpack (image-layout.md \"index.json\"), not the first one.";
const ORDER = "A manifest lists its layers from the base up (manifest.md \"layers\"): each one is applied on top of the ones before it. overlayfs's lowerdir lists the top layer first.";
const WHITEOUT = "A file .wh.<name> in a layer deletes <name> from the layers below (layer.md \"Whiteouts\"), and is not itself part of the file system: for overlayfs, make it a character device 0:0 named <name> in the layer's directory.";
const OPAQUE = "A file .wh..wh..opq in a directory makes it opaque (layer.md \"Opaque Whiteout\"): none of the directory's entries in the layers below are seen, only the ones of this layer. For overlayfs, set the xattr trusted.overlay.opaque=y on the directory in the layer's directory instead.";
const PROCESS = "The bundle's config.json takes the process from the image's config (image-spec config.md \"config\"): process.args = Entrypoint followed by Cmd, process.env = Env, process.cwd = WorkingDir.";
const UPPER = "Each bundle gets its own upper/ and work/ directories: overlay the image's layers (read-only, shared by every bundle) with upperdir=<bundle>/upper, so that a container's writes stay in its bundle and never reach the layers.";
const DIGEST = "Check every blob you read (index.json's manifest, the config, each layer) against its descriptor's digest: sha256 of its bytes (descriptor.md \"Digests\"); refuse a layout whose blob does not match (exit non-zero).";

const UNPACK = "unpack <layout> <ref> <bundle>: read <layout>/index.json, the manifest and its config (JSON blobs under blobs/sha256/), unpack each gzip-compressed tar layer once under --root, and write <bundle>/config.json, rootfs/, upper/ and work/ (see the stage's instructions).";

/** What the test image holds, drawn for this case. */
interface Image {
  layout: Layout;
  ref: string;
  greeting: string;
  shared: [string, string];
  removed: string;
  opaqueNew: string;
  /** The second layer's blob (for the digest case). */
  top: Descriptor;
}

/**
 * Two images in one layout: "<word>-old" (the base layer alone) listed first, then the ref the
 * cases unpack: the base (busybox and a few files) and a second layer that overrides /shared.txt,
 * deletes /data/<removed> with a whiteout, makes /etc/app opaque with one new file, and adds /opt/from-layer-2.
 */
function buildImage(t: CaseContext, script: string): Image {
  requireBinary("tar", "tar");
  requireBinary("gzip", "gzip");
  const word = t.rand.word();
  const img = {
    ref: `${word}-${t.rand.int(2, 99)}.0`,
    greeting: `${t.rand.word()}-${t.rand.int(1000, 9999)}`,
    shared: [`v1-${t.rand.word()}`, `v2-${t.rand.word()}`] as [string, string],
    removed: `old-${t.rand.word()}`,
    opaqueNew: `new-${t.rand.word()}`,
  };
  const base = join(t.dir, "layer-base");
  buildRootfs(base);
  put(base, "shared.txt", `${img.shared[0]}\n`);
  put(base, `data/${img.removed}`, "old\n");
  put(base, "data/kept", "kept\n");
  put(base, "etc/app/old", "old\n");
  mkdirSync(join(base, "opt"));
  const top = join(t.dir, "layer-top");
  put(top, "shared.txt", `${img.shared[1]}\n`);
  put(top, `data/.wh.${img.removed}`, "");
  put(top, "etc/app/.wh..wh..opq", "");
  put(top, `etc/app/${img.opaqueNew}`, "new\n");
  put(top, "opt/from-layer-2", "2\n");
  const layout = new Layout(join(t.dir, "layout"));
  const baseLayer = layout.layer(t, base);
  const topLayer = layout.layer(t, top);
  const config = (greeting: string) => ({ Env: ["PATH=/bin:/usr/bin", `GREETING=${greeting}`], Entrypoint: ["/bin/sh", "-c"], Cmd: [script], WorkingDir: "/opt" });
  layout.image(`${word}-old`, [baseLayer], config("from-the-other-manifest"));
  layout.image(img.ref, [baseLayer, topLayer], config(img.greeting));
  return { ...img, layout, top: topLayer };
}

let bundles = 0;

/** `--root <state> unpack <layout> <ref> <bundle>` in the case's sandbox; returns the bundle directory. */
async function unpack(t: CaseContext, b: Bundle, img: Image, layoutDir = img.layout.dir): Promise<{ dir: string; r: CommandResult }> {
  const dir = join(t.dir, `image-bundle-${++bundles}`);
  const r = await t.run(["--root", b.stateRoot, "unpack", layoutDir, img.ref, dir], { timeoutMs: 30000, cwd: t.dir, wrap: b.sandbox() });
  return { dir, r };
}

async function unpacked(t: CaseContext, b: Bundle, img: Image): Promise<string> {
  const { dir, r } = await unpack(t, b, img);
  if (r.code !== 0) t.fail({ message: `unpack ${img.layout.dir} ${img.ref} <bundle> exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: UNPACK, detail: r.output });
  return dir;
}

/** Runs the bundle's container (optionally with other process.args) to its end. */
async function runBundle(t: CaseContext, b: Bundle, dir: string, args?: string[]): Promise<CommandResult> {
  if (args) {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    config.process.args = args;
    writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  }
  const r = await t.run(["--root", b.stateRoot, "run", "-b", dir, `${b.id}-${++bundles}`], { timeoutMs: 10000, cwd: dir, wrap: b.sandbox() });
  if (r.code !== 0) t.fail({ message: `run -b ${dir}: your runtime exited with status ${r.code}; the container's script ends with exit 0.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: UPPER, detail: r.output });
  return r;
}

/** The value printed on the script's line "<label> <value>". */
function line(r: CommandResult, label: string): string {
  return new RegExp(`^${label} ?(.*)$`, "m").exec(r.stdout)?.[1]?.trim() ?? "(no such line)";
}

const LIST = (path: string, label: string) => `echo "${label} $(ls -A ${path} | sort | tr '\\n' ' ')"`;
const SHOW = ['echo "shared $(cat /shared.txt)"', LIST("/data", "data"), LIST("/etc/app", "app"), LIST("/opt", "opt")].join("; ");

export default stage(import.meta, [
  {
    name: "unpack: the manifest of the ref, its layers in order, whiteouts and opaque directories; the process from the image's config",
    async run(t) {
      const img = buildImage(t, `${SHOW}; echo "greeting $GREETING"; echo "cwd $(pwd)"`);
      const b = new Bundle(t, []);
      const dir = await unpacked(t, b, img);
      const r = await runBundle(t, b, dir);
      if (!line(r, "opt").split(" ").includes("from-layer-2")) t.fail({ message: `/opt/from-layer-2 (in the second layer of the image "${img.ref}") is missing in the container: was the right manifest unpacked?`, expected: `opt ... from-layer-2`, received: r.output, hint: REF });
      t.expectEqual(line(r, "shared"), img.shared[1], { message: "cat /shared.txt in the container: the second layer's version should hide the first's", hint: ORDER });
      t.expectEqual(line(r, "data"), "kept", { message: `ls -A /data in the container: the second layer has .wh.${img.removed}, a whiteout that deletes ${img.removed}`, hint: WHITEOUT });
      t.expectEqual(line(r, "app"), img.opaqueNew, { message: "ls -A /etc/app in the container: the second layer makes /etc/app opaque (.wh..wh..opq) and adds one file", hint: OPAQUE });
      t.expectEqual(line(r, "greeting"), img.greeting, { message: "$GREETING in the container: the image config's Env has it", hint: PROCESS });
      t.expectEqual(line(r, "cwd"), "/opt", { message: "pwd in the container: the image config's WorkingDir is /opt", hint: PROCESS });
    },
  },
  {
    name: "two bundles from one image share its layers, not their writes; a container's writes stay in its bundle",
    async run(t) {
      const img = buildImage(t, "true");
      const b = new Bundle(t, []);
      const a = await unpacked(t, b, img);
      const other = await unpacked(t, b, img);
      const note = t.rand.word();
      await runBundle(t, b, a, ["/bin/sh", "-c", `echo ${note} > /opt/by-a && echo changed > /shared.txt && rm /data/kept && rm -r /etc/app`]);
      const seen = await runBundle(t, b, other, ["/bin/sh", "-c", SHOW]);
      const what = "After a container of the first bundle wrote /opt/by-a, changed /shared.txt and removed /data/kept and /etc/app, a container of the second bundle (unpacked from the same image under the same --root)";
      t.expectEqual(line(seen, "opt"), "from-layer-2", { message: `${what} lists /opt`, hint: UPPER });
      t.expectEqual(line(seen, "shared"), img.shared[1], { message: `${what} reads /shared.txt`, hint: UPPER });
      t.expectEqual(line(seen, "data"), "kept", { message: `${what} lists /data`, hint: UPPER });
      const again = await runBundle(t, b, a, ["/bin/sh", "-c", `echo "by-a $(cat /opt/by-a)"`]);
      t.expectEqual(line(again, "by-a"), note, { message: "A second container of the first bundle reads /opt/by-a, written by the first one: a bundle keeps its writes", hint: UPPER });
    },
  },
  {
    name: "unpack refuses a ref index.json does not name, and a layer blob whose content does not match its digest",
    async run(t) {
      const img = buildImage(t, "true");
      const b = new Bundle(t, []);
      const missing = await unpack(t, b, { ...img, ref: `${img.ref}-missing` });
      if (missing.r.code === 0) t.fail({ message: `unpack of the ref "${img.ref}-missing", which no manifest of index.json is named, succeeded.`, expected: "a non-zero exit status", received: `exit status 0\n${missing.r.output}`, hint: REF });
      const hex = img.top.digest.slice("sha256:".length);
      const path = join(img.layout.dir, "blobs", "sha256", hex);
      const data = readFileSync(path);
      // Another byte in the gzip header's mtime field: the layer still unpacks, but its digest differs.
      data[4] = (data[4]! + 1) % 256;
      writeFileSync(path, data);
      const { r } = await unpack(t, b, img);
      if (r.code === 0) t.fail({ message: `unpack succeeded although the blob of layer ${img.top.digest} has another digest (one byte changed).`, expected: "a non-zero exit status", received: `exit status 0\n${r.output}`, hint: DIGEST });
    },
  },
]);
