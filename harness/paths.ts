import { join, resolve } from "node:path";

/** The project root: the folder holding harness/, stages/, solutions/ and challenges/. */
export const ROOT = resolve(import.meta.dir, "..");
export const CHALLENGES_DIR = join(ROOT, "challenges");
export const STAGES_DIR = join(ROOT, "stages");
export const SOLUTIONS_DIR = join(ROOT, "solutions");
/** Run state kept between runs (progress, last results); ignored by git. */
export const STATE_DIR = process.env.SYSCRAFT_STATE_DIR ?? join(ROOT, ".syscraft");
