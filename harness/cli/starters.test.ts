/**
 * Every starter, in every language (starters.ts), as a learner gets it:
 * `bun run init <challenge> <dir> --language=<l>` (recording it in a
 * throw-away SYSCRAFT_CONFIG, never the checkout's syscraft.local.yaml)
 * makes a program that runs and fails stage 1 with the starter's teaching
 * message; where the starter documents a change that makes its program
 * listen (the block after "Uncomment the code below"), the test applies it
 * and checks the program then listens — and, for redis, where listening is
 * all stage 1 asks, that stage 1 passes. Stage 1 of the other challenges is
 * the learner's own code: the starter only has to run and say what to do.
 * Stage 1 only, stopping at the first failing case (--bail=1): a few seconds
 * a starter. sniffer and container need root, as their stages do.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { challengeSlugs } from "../challenge/load.ts";
import { ROOT } from "../paths.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { selfTests } from "../self-test.ts";
import { runStagesInSubprocess } from "../stage/subprocess.ts";
import { type Language, LANGUAGES, MAIN_FILE, starterDir, TOOLCHAINS } from "./starters.ts";

/** What the first failing report of stage 1 must contain for the untouched starter: the starter's own words where it prints any. */
const TEACHES: Record<string, (language: Language) => string> = {
  redis: (l) => `Not listening yet: uncomment the ${{ typescript: "Bun.listen", python: "socket.create_server", go: "net.Listen" }[l]} code in ${MAIN_FILE[l]} to pass stage 1.`,
  dns: () => "Logs from your program will appear here (port ",
  http: () => "Logs from your program will appear here (port ",
  git: () => "+ TODO: refs/heads and refs/tags, and the message git prints",
  // the transcript's output of .dbinfo (the report itself is about the page size or the number of tables, as the seed draws)
  sql: () => "\n  TODO: number of tables:\n",
  tunnel: () => "server: control port ",
  sniffer: () => "listening on veth-a (not yet: see stage 1)",
  container: () => "container runtime: not yet (see stage 1); called with: --root ",
  distributed: () => "got init: not answering yet (see stage 1)",
};

/** What stage 1 says once the documented change is made: "pass" (redis), or that the program now listens (its report is about what it answers). */
const AFTER_CHANGE: Record<string, "pass" | "listens"> = { redis: "pass", dns: "listens", http: "listens" };

const MARKER = "Uncomment the code below";

/** The starter's documented change: the commented-out lines right after the marker, uncommented (one comment token and one space off each). */
export function uncommentMarkedBlock(source: string, token: "//" | "#"): string {
  const lines = source.split("\n");
  const at = lines.findIndex((l) => l.includes(MARKER));
  if (at < 0) throw new Error(`no "${MARKER}" line`);
  let i = at + 1;
  for (; i < lines.length && lines[i]!.trimStart().startsWith(token); i++) {
    const line = lines[i]!;
    const k = line.indexOf(token);
    const rest = line.slice(k + token.length);
    lines[i] = line.slice(0, k) + (rest.startsWith(" ") ? rest.slice(1) : rest);
  }
  if (i === at + 1) throw new Error(`nothing commented out after "${MARKER}"`);
  return lines.join("\n");
}

function init(slug: string, dir: string, language: Language, config: string) {
  const r = Bun.spawnSync(["bun", "harness/cli/init.ts", slug, dir, `--language=${language}`], { cwd: ROOT, env: { ...process.env, SYSCRAFT_CONFIG: config }, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, output: r.stdout.toString() + r.stderr.toString() };
}

async function stage1(slug: string, program: string, bail: boolean) {
  const run = await runStagesInSubprocess({ selection: `--stage-only=${slug}/1`, flags: [`--impl=${program}`, ...(bail ? ["--bail=1"] : [])], stdio: "capture", direct: true });
  if (run.results.length === 0) throw new Error(`stage ${slug}/1 recorded no case (exit ${run.exitCode}):\n${run.output.slice(-3000)}`);
  return run;
}

const NOT_LISTENING = /Your program (exited with code \d+ before listening|did not listen on)/;

selfTests("starters: bun run init <challenge> <dir> --language=<l>", () => {
  test("the table of teaching messages names every challenge", () => {
    expect(Object.keys(TEACHES).sort()).toEqual(challengeSlugs().sort());
  });
  test("the documented change is the marked block, uncommented", () => {
    expect(uncommentMarkedBlock("a\n  # Uncomment the code below to pass.\n  #\n  # x = 1\n  #     # keep\n  y\n# z", "#")).toBe("a\n  # Uncomment the code below to pass.\n  \n  x = 1\n      # keep\n  y\n# z");
    expect(() => uncommentMarkedBlock("// nothing here", "//")).toThrow("no \"Uncomment the code below\" line");
  });

  for (const slug of challengeSlugs()) {
    test(`${slug}: the Python and Go starters' READMEs open with the TypeScript one's paragraph (what the tests run)`, () => {
      const opening = (language: Language) => readFileSync(join(starterDir(slug, language), "README.md"), "utf8").split("\n\n").slice(0, 2).join("\n\n");
      for (const language of LANGUAGES) expect(opening(language)).toBe(opening("typescript"));
    });
    test(`${slug}: every language's your_program.sh opens with the TypeScript one's comment (how syscraft runs it)`, () => {
      const usage = (language: Language) => readFileSync(join(starterDir(slug, language), "your_program.sh"), "utf8").split("\n").filter((l) => l.startsWith("#")).join("\n").split("# To use another language")[0]!.split("# It builds app/")[0]!;
      for (const language of LANGUAGES) expect(usage(language)).toBe(usage("typescript"));
    });
    for (const language of LANGUAGES) {
      const after = AFTER_CHANGE[slug];
      const name = `${slug} in ${language}: fails stage 1 with the starter's teaching message${after === "pass" ? ", passes it once the marked block is uncommented" : after === "listens" ? ", listens once the marked block is uncommented" : ""}`;
      test(name, async () => {
        const toolchain = TOOLCHAINS[language];
        if (!Bun.which(toolchain.binary)) throw new Error(`${toolchain.binary} is not installed: the ${language} starters need ${toolchain.package} (bun run setup installs it)`);
        const work = makeTempDir("starter");
        try {
          const dir = join(work, "learner");
          const config = join(work, "local.yaml");
          const made = init(slug, dir, language, config);
          expect(made.output).toContain(`from the `);
          expect(made.code).toBe(0);
          const program = join(dir, "your_program.sh");
          expect(readFileSync(config, "utf8")).toContain(`${slug}: ${program}`);
          for (const f of ["README.md", MAIN_FILE[language], ...(language === "go" ? ["go.mod"] : [])]) expect(existsSync(join(dir, f))).toBe(true);

          const untouched = await stage1(slug, program, true);
          expect(untouched.results.some((r) => r.ok)).toBe(false);
          expect(untouched.results[0]!.message).toContain(TEACHES[slug]!(language));

          if (!after) {
            expect(readFileSync(join(dir, MAIN_FILE[language]), "utf8")).not.toContain(MARKER);
            return;
          }
          const main = join(dir, MAIN_FILE[language]);
          writeFileSync(main, uncommentMarkedBlock(readFileSync(main, "utf8"), language === "python" ? "#" : "//"));
          const changed = await stage1(slug, program, after !== "pass");
          if (after === "pass") {
            const failed = changed.results.filter((r) => !r.ok);
            expect(failed.map((r) => r.message).join("\n")).toBe("");
            expect(changed.exitCode).toBe(0);
          } else {
            expect(changed.results[0]!.message).not.toMatch(NOT_LISTENING);
          }
        } finally {
          removeTempDir(work);
        }
      }, 90_000);
    }
  }
});
