/**
 * bun run setup [<challenge>…]: installs every client and real implementation
 * the challenges use (or only those of the challenges named), and, for the
 * whole suite, the toolchains of the Python and Go starters. On
 * Debian/Ubuntu it runs apt-get for what is missing (and does nothing when
 * everything is there); elsewhere it prints what to install.
 */
import { loadAllChallenges } from "../challenge/load.ts";
import { hasBinary } from "../clients/require.ts";
import { challengeArg, parseCommandLine } from "./args.ts";
import { TOOLCHAINS } from "./starters.ts";

const USAGE = `usage: bun run setup [<challenge>…] [--if-possible]

  <challenge>…     install only what these challenges need (default: every challenge)
  --if-possible    never fail (as the install hook of bun install): say what is missing and carry on`;
const { values, positionals } = parseCommandLine("setup", USAGE, { "if-possible": { type: "boolean" } });

// As the install hook (bun install), never fail the install: say what is missing and carry on.
const lenient = values["if-possible"] === true;
const giveUp = (): never => process.exit(lenient ? 0 : 1);

const needed = new Map<string, string>(); // binary → package
for (const c of positionals.length > 0 ? positionals.map((slug) => challengeArg("setup", slug)) : loadAllChallenges()) {
  for (const client of c.clients) needed.set(client.binary, client.package);
  if (c.real) needed.set(c.real.command.split(/\s+/)[0]!, c.real.package);
}
// The starters' toolchains other than bun (python3, go): the self-test harness/cli/starters.test.ts runs every
// starter in every language, so the full setup (what `bun test` needs) installs them; `bun run setup <challenge>`
// (what a learner's workflow runs) does not: the learner brings the toolchain of the language they chose.
if (positionals.length === 0) for (const [language, t] of Object.entries(TOOLCHAINS)) if (language !== "typescript") needed.set(t.binary, t.package);
const missing = [...needed].filter(([binary]) => !hasBinary(binary));
if (missing.length === 0) {
  console.log(`setup: all ${needed.size} ${positionals.length === 0 ? "clients, real implementations and starter toolchains" : "clients and real implementations"} are installed (${[...needed.keys()].join(", ")}).`);
  process.exit(0);
}
const packages = [...new Set(missing.map(([, pkg]) => pkg))].sort();
console.log(`setup: missing ${missing.map(([b, p]) => `${b} (package ${p})`).join(", ")}`);
if (!hasBinary("apt-get")) {
  console.log(`setup: no apt-get here. Install these with your package manager: ${packages.join(" ")}`);
  giveUp();
}
const root = process.getuid?.() === 0;
// Under the install hook, use sudo only if it needs no password (never prompt in the middle of bun install).
const sudoWorks = hasBinary("sudo") && (!lenient || Bun.spawnSync(["sudo", "-n", "true"]).exitCode === 0);
const sudo: string[] = root ? [] : sudoWorks ? ["sudo"] : (console.log(`setup: not root and no sudo. As root, run: apt-get install -y ${packages.join(" ")}`), giveUp());
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
const run = async (args: string[]) => (await Bun.spawn([...sudo, ...args], { stdout: "inherit", stderr: "inherit", env }).exited) === 0;
console.log(`setup: $ ${[...sudo, "apt-get", "install", "-y", "--no-install-recommends", ...packages].join(" ")}`);
let ok = await run(["apt-get", "install", "-y", "--no-install-recommends", ...packages]);
if (!ok) {
  console.log("setup: install failed; refreshing the package lists and trying again");
  ok = (await run(["apt-get", "update"])) && (await run(["apt-get", "install", "-y", "--no-install-recommends", ...packages]));
}
const still = missing.filter(([binary]) => !Bun.which(binary));
if (!ok || still.length > 0) {
  console.error(`setup: still missing: ${still.map(([b, p]) => `${b} (${p})`).join(", ") || "(apt-get failed)"}`);
  giveUp();
}
console.log("setup: done");
