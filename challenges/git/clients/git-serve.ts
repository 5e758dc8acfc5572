/**
 * The program under test as a git:// server for the serve stage: started
 * in the background with `serve --port <port> <base dir>` (the challenge's
 * contract for this role; real git's wrapper maps it to `git daemon`),
 * ready when it listens on the port, stopped with the case.
 * https://git-scm.com/docs/git-daemon
 */
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import type { GitCase } from "./git.ts";

export interface OurServer {
  program: Program;
  /** git://127.0.0.1:<port>/<name>.git */
  url: (name: string) => string;
  /** The bare repository `<name>.git` in the served directory. */
  path: (name: string) => string;
}

/** The arguments the program gets in this role ({port} filled in by the harness). */
export function serveArgs(base: string): string[] {
  return ["serve", "--port", "{port}", base];
}

/** Starts the program serving `base` (which holds `<name>.git` repositories); waits until it listens. */
export async function startOurServer(t: CaseContext, g: GitCase, base: string): Promise<OurServer> {
  const env = Object.fromEntries(Object.entries(g.env).filter((e): e is [string, string] => e[1] !== undefined));
  const program = await t.start({ args: serveArgs(base), ready: "tcp", env, readyTimeoutMs: 5000 });
  return { program, url: (name) => `git://127.0.0.1:${program.port}/${name}.git`, path: (name) => join(base, `${name}.git`) };
}
