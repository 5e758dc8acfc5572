/**
 * `serve --port <port> [--host <host>] <base dir>`: a git:// server like
 * `git daemon --export-all --enable=receive-pack --base-path=<base dir>`.
 * Each connection starts with one pkt-line naming the service and the
 * repository; git-upload-pack speaks protocol version 2 (capabilities,
 * ls-refs, fetch with negotiation), git-receive-pack version 0 (ref
 * advertisement, update commands, a pack, report-status).
 * https://git-scm.com/docs/git-daemon, https://git-scm.com/docs/gitprotocol-v2,
 * https://git-scm.com/docs/gitprotocol-pack
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join, normalize } from "node:path";
import { GitError, ObjectStore } from "./objects.ts";
import { indexPack, writePack } from "./pack.ts";
import { reachable } from "./reachable.ts";
import { listRefs, packedRefs, readRef, writeRef } from "./refs.ts";
import { DELIM, FLUSH, PktReader, pkt, ZERO_ID } from "./remote.ts";

const AGENT = "agent=syscraft/1";
/** Side-band-64k: at most 65520 bytes a pkt-line, so 65515 of data after the length and the band byte. */
const BAND_DATA = 65515;

/** What the server does (fixtures replace parts). */
export const serveSteps = {
  /** Which of the client's wants are honoured. */
  wants: (wants: string[]): string[] => wants,
  /** Moves a ref after a push (the update is written to disk). */
  updateRef: (gitDir: string, ref: string, oid: string): void => writeRef(gitDir, ref, oid),
  /** Deletes a ref a push names with the all-zeros new id. */
  deleteRef: (gitDir: string, ref: string): void => deleteRef(gitDir, ref),
  /** How many bytes of pack go in one side-band pkt-line. */
  bandData: BAND_DATA,
  /** The capability lines upload-pack advertises after `version 2`. */
  uploadCaps: [AGENT, "ls-refs", "fetch", "object-format=sha1"],
  /** The capabilities receive-pack advertises on its first ref line. */
  receiveCaps: `report-status delete-refs ofs-delta no-thin ${AGENT}`,
  /** ls-refs: HEAD's line comes first (else last). */
  headFirst: true,
  /** ls-refs: HEAD's line carries ` symref-target:` when the client sent `symrefs`. */
  symrefTarget: true,
  /** ls-refs: an annotated tag's line carries ` peeled:` when the client sent `peel`. */
  peeled: true,
  /** Negotiation: `ready` after the ACKs. */
  ready: true,
  /** Negotiation: after a NAK, read the client's next round (else hang up). */
  nextRoundAfterNak: true,
  /** fetch: `include-tag` is honoured. */
  includeTag: true,
  /** receive-pack: `unpack ok` before the per-ref lines of the report. */
  reportUnpack: true,
  /** The repository lookup: `<path>` then `<path>.git` (else `<path>` only), bare or with a .git (else bare only). */
  withDotGit: true,
  nonBare: true,
  /** What happens after answering a path that is no repository (the server goes on serving). */
  afterUnknownRepo: (): void => {},
  /** Accept connection after connection (else stop listening after the first). */
  keepListening: true,
};

/** The git directory `/<path>` names under `base` (as git daemon: `<path>`, then `<path>.git`; bare or with a .git). */
function repoFor(base: string, path: string): string | undefined {
  const rel = normalize(path).replace(/^\/+/, "");
  if (rel.startsWith("..") || rel === "") return undefined;
  for (const dir of serveSteps.withDotGit ? [join(base, rel), join(base, `${rel}.git`)] : [join(base, rel)]) {
    for (const gitDir of serveSteps.nonBare ? [dir, join(dir, ".git")] : [dir]) {
      if (existsSync(join(gitDir, "HEAD")) && existsSync(join(gitDir, "objects")) && statSync(gitDir).isDirectory()) return gitDir;
    }
  }
  return undefined;
}

/** Every ref (HEAD excluded), loose and packed, sorted by name. */
function allRefs(gitDir: string): Map<string, string> {
  return listRefs(gitDir, "refs/");
}

/** The id an annotated tag finally points at (the object itself when it is not a tag). */
function peel(store: ObjectStore, oid: string): string {
  for (let i = 0; i < 10; i++) {
    const obj = store.get(oid);
    if (obj.type !== "tag") return oid;
    oid = /^object ([0-9a-f]{40})$/m.exec(Buffer.from(obj.body).toString("utf8"))![1]!;
  }
  return oid;
}


/** A protocol v2 request: the command, its capability lines, its arguments. */
interface Request {
  command: string;
  args: string[];
}

async function readRequest(reader: PktReader): Promise<Request | undefined> {
  let command: string | undefined;
  const args: string[] = [];
  let inArgs = false;
  for (;;) {
    const p = await reader.next();
    if (p === "end") return undefined;
    if (p === "flush") {
      if (command === undefined && !inArgs) return undefined;
      return { command: command ?? "", args };
    }
    if (p === "delim") {
      inArgs = true;
      continue;
    }
    const line = p.toString("utf8").replace(/\n$/, "");
    if (!inArgs && line.startsWith("command=")) command = line.slice("command=".length);
    else if (inArgs) args.push(line);
  }
}

function lsRefs(gitDir: string, store: ObjectStore, args: string[]): Buffer {
  const prefixes = args.filter((a) => a.startsWith("ref-prefix ")).map((a) => a.slice("ref-prefix ".length));
  const symrefs = args.includes("symrefs") && serveSteps.symrefTarget;
  const peeled = args.includes("peel") && serveSteps.peeled;
  const wanted = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));
  const out: Buffer[] = [];
  for (const [name, oid] of allRefs(gitDir)) {
    if (!wanted(name)) continue;
    const p = peeled ? peel(store, oid) : oid;
    out.push(pkt(`${oid} ${name}${p !== oid ? ` peeled:${p}` : ""}\n`));
  }
  const head = readRef(gitDir, "HEAD");
  if (head && wanted("HEAD")) {
    const target = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    const line = pkt(`${head} HEAD${symrefs && target.startsWith("ref: ") ? ` symref-target:${target.slice(5)}` : ""}\n`);
    if (serveSteps.headFirst) out.unshift(line);
    else out.push(line);
  }
  return Buffer.concat([...out, Buffer.from(FLUSH)]);
}

/** The pack for a fetch: what the wants reach, minus what the common haves reach; annotated tags of sent objects with include-tag. */
function packFor(gitDir: string, store: ObjectStore, wants: string[], common: string[], includeTag: boolean): Buffer {
  const theirs = reachable(store, common);
  const objects = reachable(store, serveSteps.wants(wants), theirs);
  if (includeTag && serveSteps.includeTag) {
    for (const oid of allRefs(gitDir).values()) {
      if (objects.has(oid) || theirs.has(oid) || store.get(oid).type !== "tag") continue;
      if (objects.has(peel(store, oid))) for (const o of reachable(store, [oid], new Set([...theirs, ...objects]))) objects.add(o);
    }
  }
  return writePack([...objects].map((oid) => ({ oid, ...store.get(oid) }))).pack;
}

/** The `packfile` section: the pack on side-band 1, then a flush-pkt. */
function packfileSection(pack: Buffer): Buffer {
  const parts = [pkt("packfile\n")];
  const size = serveSteps.bandData;
  for (let at = 0; at < pack.length; at += size) parts.push(pkt(Buffer.concat([Buffer.from([1]), pack.subarray(at, at + size)])));
  parts.push(Buffer.from(FLUSH));
  return Buffer.concat(parts);
}

/** git-upload-pack, protocol version 2: the capability advertisement, then commands until the client hangs up. */
async function uploadPack(socket: Socket, reader: PktReader, gitDir: string): Promise<void> {
  const store = new ObjectStore(gitDir);
  socket.write(Buffer.concat(["version 2", ...serveSteps.uploadCaps].map((l) => pkt(`${l}\n`)).concat(Buffer.from(FLUSH))));
  for (;;) {
    const req = await readRequest(reader);
    if (!req) return;
    if (req.command === "ls-refs") socket.write(lsRefs(gitDir, store, req.args));
    else if (req.command === "fetch") {
      const wants = req.args.filter((a) => a.startsWith("want ")).map((a) => a.slice(5));
      const haves = req.args.filter((a) => a.startsWith("have ")).map((a) => a.slice(5));
      const done = req.args.includes("done");
      const missing = wants.find((w) => !store.has(w));
      if (missing) {
        socket.write(Buffer.concat([pkt(`ERR upload-pack: not our ref ${missing}\n`), Buffer.from(FLUSH)]));
        return;
      }
      const common = haves.filter((h) => store.has(h));
      const includeTag = req.args.includes("include-tag");
      if (done) {
        socket.write(packfileSection(packFor(gitDir, store, wants, common, includeTag)));
      } else if (common.length === 0) {
        // Nothing in common yet: say so, and let the client send more haves (or done).
        socket.write(Buffer.concat([pkt("acknowledgments\n"), pkt("NAK\n"), Buffer.from(FLUSH)]));
        if (!serveSteps.nextRoundAfterNak) return;
      } else {
        const acks = common.map((h) => pkt(`ACK ${h}\n`));
        const ready = serveSteps.ready ? [pkt("ready\n")] : [];
        socket.write(Buffer.concat([pkt("acknowledgments\n"), ...acks, ...ready, Buffer.from(DELIM), packfileSection(packFor(gitDir, store, wants, common, includeTag))]));
      }
    } else {
      socket.write(Buffer.concat([pkt(`ERR unknown command '${req.command}'\n`), Buffer.from(FLUSH)]));
      return;
    }
  }
}

/** Removes a ref, loose and packed. */
function deleteRef(gitDir: string, ref: string): void {
  rmSync(join(gitDir, ref), { force: true });
  const packed = packedRefs(gitDir);
  if (!packed.has(ref)) return;
  const file = join(gitDir, "packed-refs");
  const lines = readFileSync(file, "utf8").split("\n");
  const keep: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.endsWith(` ${ref}`)) {
      if (lines[i + 1]?.startsWith("^")) i++;
      continue;
    }
    keep.push(lines[i]!);
  }
  writeFileSync(file, keep.join("\n"));
}

/** git-receive-pack, protocol version 0: advertise refs, read commands and the pack, update refs, report. */
async function receivePack(socket: Socket, reader: PktReader, gitDir: string, version1: boolean): Promise<void> {
  const store = new ObjectStore(gitDir);
  // no-thin: the pack must hold the bases of its deltas (else, like index-pack --fix-thin, append the missing bases).
  const caps = serveSteps.receiveCaps;
  const refs = [...allRefs(gitDir)];
  const ad = refs.length === 0 ? [pkt(`${ZERO_ID} capabilities^{}\0${caps}\n`)] : refs.map(([name, oid], i) => pkt(`${oid} ${name}${i === 0 ? `\0${caps}` : ""}\n`));
  socket.write(Buffer.concat([...(version1 ? [pkt("version 1\n")] : []), ...ad, Buffer.from(FLUSH)]));
  const commands: { old: string; new: string; ref: string }[] = [];
  let wanted: string[] = [];
  for (const [i, line] of (await reader.section()).entries()) {
    const [main, c] = line.split("\0");
    if (i === 0 && c !== undefined) wanted = c.split(" ");
    const [old, nu, ref] = main!.split(" ");
    if (old && nu && ref) commands.push({ old, new: nu, ref });
  }
  if (commands.length === 0) return;
  let unpack = "ok";
  if (commands.some((c) => c.new !== ZERO_ID)) {
    try {
      const pack = await reader.pack();
      if (pack.readUInt32BE(8) > 0) {
        const { idx, checksum } = indexPack(pack, (oid) => (store.has(oid) ? store.get(oid) : undefined));
        const dir = join(gitDir, "objects", "pack");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `pack-${checksum}.pack`), pack, { mode: 0o444 });
        writeFileSync(join(dir, `pack-${checksum}.idx`), idx, { mode: 0o444 });
        store.rescanPacks();
      }
    } catch (e) {
      unpack = (e as Error).message;
    }
  }
  const results = commands.map((c) => {
    if (unpack !== "ok") return `ng ${c.ref} unpacker error`;
    if (!c.ref.startsWith("refs/")) return `ng ${c.ref} funny refname`;
    if ((readRef(gitDir, c.ref) ?? ZERO_ID) !== c.old) return `ng ${c.ref} failed to lock`;
    if (c.new === ZERO_ID) {
      serveSteps.deleteRef(gitDir, c.ref);
      return `ok ${c.ref}`;
    }
    try {
      reachable(store, [c.new]);
    } catch {
      return `ng ${c.ref} missing necessary objects`;
    }
    serveSteps.updateRef(gitDir, c.ref, c.new);
    return `ok ${c.ref}`;
  });
  if (wanted.includes("report-status")) socket.write(Buffer.concat([...(serveSteps.reportUnpack ? [pkt(`unpack ${unpack}\n`)] : []), ...results.map((r) => pkt(`${r}\n`)), Buffer.from(FLUSH)]));
}

/** One connection: the request line, then the service. */
async function handle(socket: Socket, base: string): Promise<void> {
  const reader = PktReader.of(socket);
  const first = await reader.next();
  if (typeof first === "string") return;
  const [request = "", , ...extra] = first.toString("latin1").replace(/\n$/, "").split("\0");
  const m = /^(git-upload-pack|git-receive-pack) (.+)$/.exec(request);
  const fail = (msg: string) => void socket.write(pkt(`ERR ${msg}\n`));
  if (!m) return fail(`unknown service: ${request}`);
  const gitDir = repoFor(base, m[2]!);
  if (!gitDir) {
    fail(`no such repository: ${m[2]}`);
    return serveSteps.afterUnknownRepo();
  }
  process.stderr.write(`[${socket.remotePort}] ${m[1]} ${m[2]}\n`);
  if (m[1] === "git-receive-pack") return receivePack(socket, reader, gitDir, extra.includes("version=1"));
  if (!extra.includes("version=2")) return fail("this server speaks protocol version 2 only (git -c protocol.version=2)");
  return uploadPack(socket, reader, gitDir);
}

/** Listens until killed. */
export function serve(port: number, host: string, base: string): Promise<never> {
  if (!existsSync(base)) throw new GitError(`'${base}' does not exist`);
  return new Promise((_, reject) => {
    const server = createServer((socket) => {
      if (!serveSteps.keepListening) server.close();
      socket.on("error", () => socket.destroy());
      handle(socket, base)
        .catch((e: unknown) => {
          if (!socket.destroyed) socket.write(pkt(`ERR ${(e as Error).message}\n`));
        })
        .finally(() => socket.end());
    });
    server.on("error", (e) => reject(new GitError(`unable to listen on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => process.stderr.write(`Ready to serve ${base} on git://${host}:${port}/\n`));
  });
}
