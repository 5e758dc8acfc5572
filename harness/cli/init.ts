/**
 * bun run init <challenge> <dir> [--language=typescript|python|go] [--git]:
 * copies the challenge's starter in that language (starters.ts) into
 * <dir> (which must not exist or be empty), writes the learner's syscraft.yml
 * (the stage they are on: <challenge>/1) and a GitHub workflow that grades
 * it, and records the program in syscraft.local.yaml, so that
 * `bun test --stage=<challenge>/1` runs it from then on. --git also makes
 * <dir> a git repository with a first commit.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LEARNER_FILE, learnerFileText } from "../learner-stage.ts";
import { githubRepo, REPO_PLACEHOLDER, WORKFLOW_PATH, workflowText } from "./workflow.ts";
import { parse, stringify } from "yaml";
import { configFile, configuredImpls } from "../impl.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";
import { isLanguage, LANGUAGES, MAIN_FILE, starterDir, TOOLCHAINS } from "./starters.ts";

const USAGE = `usage: bun run init <challenge> <dir> [--language=<language>] [--git]     e.g. bun run init redis ~/my-redis --language=python

  --language   the starter's language: ${LANGUAGES.join(", ")} (default: typescript)
  --git        also run git init in <dir> and commit the starter`;
const { values, positionals } = parseCommandLine("init", USAGE, { git: { type: "boolean" }, language: { type: "string" } });
const [slug, target] = positionals;
if (!slug || !target || positionals.length > 2) usageError("init", "give a challenge and a new directory, e.g. bun run init redis ~/my-redis");
const challenge = challengeArg("init", slug);
const language = values.language ?? "typescript";
if (!isLanguage(language)) usageError("init", `no starters in ${language}: --language is one of ${LANGUAGES.join(", ")}`);
const starter = starterDir(slug, language);
if (!existsSync(starter)) {
  console.error(`init: the ${slug} challenge has no ${language} starter yet`);
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
writeFileSync(join(dir, LEARNER_FILE), learnerFileText(`${slug}/1`));
const repo = githubRepo();
const workflow = join(dir, WORKFLOW_PATH);
mkdirSync(dirname(workflow), { recursive: true });
writeFileSync(workflow, workflowText(challenge, repo));
if (values.git) {
  for (const argv of [["git", "init", "-q"], ["git", "add", "-A"], ["git", "-c", "user.name=syscraft", "-c", "user.email=syscraft@localhost", "commit", "-q", "-m", `${challenge.name} starter (syscraft)`]]) {
    const r = Bun.spawnSync(argv, { cwd: dir, stderr: "pipe" });
    if (r.exitCode !== 0) {
      console.error(`init: ${argv.join(" ")} failed in ${dir}: ${r.stderr.toString().trim()}`);
      process.exit(1);
    }
  }
}

const config = (existsSync(file) ? (parse(readFileSync(file, "utf8")) as { impl?: Record<string, string> } | null) : null) ?? {};
config.impl = { ...(config.impl ?? {}), [slug]: program };
writeFileSync(file, `# Which program each challenge's tests run (written by bun run init; edit freely).\n${stringify(config)}`);

const extensions = challenge.extensions.map((e) => e.slug);
const afterBase = extensions.length === 0 ? "" : `\n  5. After the base stages come the extensions ${extensions.join(", ")}: bun run stages ${slug} lists every stage, and bun test --stage=${slug}/${extensions[0]}/1 starts one`;

const toolchain = TOOLCHAINS[language];
const missingToolchain = Bun.which(toolchain.binary) ? "" : `\nNote: ${toolchain.binary} is not installed, and your_program.sh needs it: install ${toolchain.package} (on Debian/Ubuntu, bun run setup installs it).`;

console.log(`Created ${dir} from the ${challenge.name} starter in ${language}.
Recorded in ${file}: impl.${slug} = ${program}
Wrote ${join(dir, LEARNER_FILE)} (stage: ${slug}/1: bump it as stages pass) and ${workflow}
${repo ? `  (the workflow grades against ${repo}, this checkout's GitHub remote)` : `  (edit SYSCRAFT_REPO: ${REPO_PLACEHOLDER} in it: the owner/name of your syscraft repository on GitHub)`}${values.git ? `\nMade ${dir} a git repository with the starter as its first commit.` : ""}

Next:
  1. Read stages/${slug}/01-${challenge.stages[0]!.slug}.md
  2. Edit your program: ${join(dir, MAIN_FILE[language])}
  3. Run: bun test --stage=${slug}/1
  4. See how far you are: bun run progress${afterBase}${missingToolchain}`);
