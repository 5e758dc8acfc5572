/**
 * bun run init <challenge> <dir>: copies the challenge's starter into <dir>
 * (which must not exist or be empty) and records it in syscraft.local.yaml,
 * so that `bun test --stage=<challenge>/1` runs your program from then on.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { configFile, configuredImpls } from "../impl.ts";
import { CHALLENGES_DIR } from "../paths.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";

const USAGE = "usage: bun run init <challenge> <dir>     e.g. bun run init redis ~/my-redis";
const { positionals } = parseCommandLine("init", USAGE, {});
const [slug, target] = positionals;
if (!slug || !target || positionals.length > 2) usageError("init", "give a challenge and a new directory, e.g. bun run init redis ~/my-redis");
const challenge = challengeArg("init", slug);
const starter = join(CHALLENGES_DIR, slug, "starter");
if (!existsSync(starter)) {
  console.error(`init: the ${slug} challenge has no starter yet`);
  process.exit(2);
}
const dir = resolve(process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd(), target);
if (existsSync(dir) && readdirSync(dir).length > 0) {
  console.error(`init: ${dir} exists and is not empty; choose a new directory`);
  process.exit(2);
}
const file = configFile();
try {
  configuredImpls(file);
} catch (e) {
  console.error(`init: ${(e as Error).message}\n(init records your program in that file: fix it first)`);
  process.exit(2);
}
cpSync(starter, dir, { recursive: true });
const program = join(dir, "your_program.sh");

const config = (existsSync(file) ? (parse(readFileSync(file, "utf8")) as { impl?: Record<string, string> } | null) : null) ?? {};
config.impl = { ...(config.impl ?? {}), [slug]: program };
writeFileSync(file, `# Which program each challenge's tests run (written by bun run init; edit freely).\n${stringify(config)}`);

const extensions = challenge.extensions.map((e) => e.slug);
const afterBase = extensions.length === 0 ? "" : `\n  5. After the base stages come the extensions ${extensions.join(", ")}: bun run stages ${slug} lists every stage, and bun test --stage=${slug}/${extensions[0]}/1 starts one`;

console.log(`Created ${dir} from the ${challenge.name} starter.
Recorded in ${file}: impl.${slug} = ${program}

Next:
  1. Read stages/${slug}/01-${challenge.stages[0]!.slug}.md
  2. Edit your program in ${dir}
  3. Run: bun test --stage=${slug}/1
  4. See how far you are: bun run progress${afterBase}`);
