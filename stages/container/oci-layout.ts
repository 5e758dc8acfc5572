/**
 * OCI image layouts written by the container tests (stages 11 and 13): blobs
 * by digest, gzip tar layers packed by GNU tar, manifests named by ref in
 * index.json (image-spec image-layout.md, manifest.md, config.md).
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../harness/stage/context.ts";

export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
};

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** An OCI image layout being written: blobs by digest, and index.json at the end. */
export class Layout {
  readonly manifests: Descriptor[] = [];
  constructor(readonly dir: string) {
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  }

  blob(mediaType: string, data: Buffer): Descriptor {
    const hex = createHash("sha256").update(data).digest("hex");
    writeFileSync(join(this.dir, "blobs", "sha256", hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  }

  /** A gzip-compressed tar layer of a directory, made by GNU tar (as `docker save` or buildah would: POSIX pax format). */
  layer(t: CaseContext, staging: string): Descriptor {
    const out = Bun.spawnSync(["tar", "--format=posix", "--numeric-owner", "-C", staging, "-czf", "-", "."], { timeout: 30000 });
    if (out.exitCode !== 0) t.fail({ message: `tar failed to pack a test layer: ${out.stderr.toString()}` });
    return this.blob(MEDIA.layer, Buffer.from(out.stdout));
  }

  image(ref: string, layers: Descriptor[], config: Record<string, unknown>): void {
    const configBlob = this.blob(MEDIA.config, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config, rootfs: { type: "layers", diff_ids: [] } })));
    const manifest = this.blob(MEDIA.manifest, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: configBlob, layers })));
    this.manifests.push({ ...manifest, annotations: { "org.opencontainers.image.ref.name": ref } });
    writeFileSync(join(this.dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: this.manifests }));
  }
}

export function put(dir: string, path: string, content: string): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), content);
}
