/**
 * Real `git daemon` serving bare repositories on loopback for the clone and
 * fetch stages: started in the background on a port from `t.port()`,
 * stopped with the case; ready when it says "Ready to rumble".
 * https://git-scm.com/docs/git-daemon
 */
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { startBackground } from "../../../harness/clients/background.ts";
import { GIT_PACKAGE, type GitCase } from "./git.ts";

export interface Daemon {
  /** Where the served bare repositories live (`--base-path`). */
  base: string;
  /** git://127.0.0.1:<port>/<name>.git */
  url: (name: string) => string;
  /** The bare repository `<name>.git` in the served directory. */
  path: (name: string) => string;
  /** What git daemon has printed so far (with --verbose: each connection, its attributes, its request, errors). */
  log: () => string;
}

/**
 * Why a client's clone or fetch failed, read from what git daemon logged for its connections (the log after
 * `since` characters): a protocol attribute cut or lengthened by a pkt-line length that is off, a pkt-line the
 * daemon could not read, or, when the daemon served the request without an error, the reply the client could
 * not read (the side-band). Undefined when the log says nothing useful.
 */
export function daemonDiagnosis(log: string, since: number): string | undefined {
  const lines = log.slice(since).split("\n");
  const protocol = lines.map((l) => /Extended attribute "protocol": (.*)$/.exec(l)?.[1]).find((v) => v !== undefined);
  const LENGTH = "A pkt-line's 4 hex digits give its whole length, the 4 digits included (`0009done\\n` is 4 + 5 bytes; the flush-pkt `0000` is the only line of length 0).";
  if (protocol !== undefined && protocol !== "version=2") return `git daemon read the end of your first pkt-line as the attribute "protocol": ${JSON.stringify(protocol)}, not "version=2": the length in its first 4 hex digits is off, so the daemon cut the line (or read past it). ${LENGTH}`;
  const bad = lines.find((l) => l.includes("bad line length character") || l.includes("protocol error"));
  if (bad !== undefined) return `git daemon could not read a pkt-line you sent (${bad.replace(/^\[\d+\] /, "")}). ${LENGTH}`;
  if (lines.some((l) => l.includes("Request upload-pack")) && protocol === undefined) return `Your request to git daemon had no \`version=2\` attribute: send \`git-upload-pack /<path>\\0host=<host>:<port>\\0\\0version=2\\0\` as one pkt-line. ${LENGTH}`;
  if (protocol === "version=2" && lines.some((l) => l.includes("Request upload-pack")) && !lines.some((l) => l.includes("with error"))) {
    return "git daemon read your request (protocol version 2) and served it without an error, so what failed is reading its reply. In the `packfile` section each pkt-line's first byte is the side-band: 1 the pack's bytes, 2 progress text, 3 an error; strip that byte and join the band-1 data to get the pack (it starts with `PACK`).";
  }
  return undefined;
}

export interface DaemonOptions {
  /** Also serve git-receive-pack (`--enable=receive-pack`), so clients can push. */
  receivePack?: boolean;
}

/** Serves `<case dir>/served` (created) with git daemon; waits until it is ready. */
export async function startDaemon(t: CaseContext, g: GitCase, opts: DaemonOptions = {}): Promise<Daemon> {
  const base = g.dir("served");
  const port = await t.port();
  const daemon = startBackground(t, GIT_PACKAGE, ["git", "daemon", "--reuseaddr", "--export-all", "--informative-errors", "--verbose", ...(opts.receivePack ? ["--enable=receive-pack"] : []), "--listen=127.0.0.1", `--port=${port}`, `--base-path=${base}`, base], {
    env: g.env,
    name: "git daemon",
  });
  await daemon.waitForOutput("Ready to rumble", 5000, { message: "Waiting for git daemon to start.", hint: "This is real git's server; the test could not start it (is the git package complete?)." });
  return { base, url: (name) => `git://127.0.0.1:${port}/${name}.git`, path: (name) => join(base, `${name}.git`), log: () => daemon.output() };
}
