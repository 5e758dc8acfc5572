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
  return { base, url: (name) => `git://127.0.0.1:${port}/${name}.git`, path: (name) => join(base, `${name}.git`) };
}
