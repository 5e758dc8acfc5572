/**
 * The starters `bun run init` copies: one per challenge and language, in
 * challenges/<slug>/starter/ (TypeScript on Bun, the default),
 * challenges/<slug>/starter-python/ and challenges/<slug>/starter-go/. Each
 * has your_program.sh (what syscraft runs), the program under app/ and a
 * README.md; the Go starter also has go.mod.
 */
import { join } from "node:path";
import { CHALLENGES_DIR } from "../paths.ts";

export const LANGUAGES = ["typescript", "python", "go"] as const;
export type Language = (typeof LANGUAGES)[number];

/** The toolchain a language's starter runs with: the binary your_program.sh calls and its Debian package. */
export const TOOLCHAINS: Record<Language, { binary: string; package: string }> = {
  typescript: { binary: "bun", package: "bun (https://bun.sh)" },
  python: { binary: "python3", package: "python3" },
  go: { binary: "go", package: "golang-go" },
};

/** The program file a learner edits first, relative to the starter. */
export const MAIN_FILE: Record<Language, string> = { typescript: "app/main.ts", python: "app/main.py", go: "app/main.go" };

export function isLanguage(s: string): s is Language {
  return (LANGUAGES as readonly string[]).includes(s);
}

/** challenges/<slug>/starter (TypeScript) or challenges/<slug>/starter-<language>. */
export function starterDir(slug: string, language: Language): string {
  return join(CHALLENGES_DIR, slug, language === "typescript" ? "starter" : `starter-${language}`);
}
