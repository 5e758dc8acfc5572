/**
 * A challenge's stages: the base stages (ids "1", "2", …), then each
 * extension's (ids "<ext>/1", "<ext>/2", …), in the order challenge.yaml lists
 * the extensions. A stage's full name is `<challenge>/<id>`, e.g. redis/lists/2.
 */
import type { Challenge, Extension, StageInfo } from "./schema.ts";

/** Every stage: the base stages, then each extension's in order. */
export function allStages(c: Challenge): StageInfo[] {
  return [...c.stages, ...c.extensions.flatMap((e) => e.stages)];
}

export function findStage(c: Challenge, id: string): StageInfo | undefined {
  return allStages(c).find((s) => s.id === id);
}

export function findExtension(c: Challenge, slug: string): Extension | undefined {
  return c.extensions.find((e) => e.slug === slug);
}

/** The stages of the group a stage belongs to: the base stages, or its extension's. */
export function groupStages(c: Challenge, extension: string | undefined): StageInfo[] {
  return extension === undefined ? c.stages : (findExtension(c, extension)?.stages ?? []);
}

/** `redis/lists/2`: how a stage is named to users, in selections, titles and results. */
export function stageName(c: Challenge, s: StageInfo): string {
  return `${c.slug}/${s.id}`;
}

/** A stage id with its number in two digits ("3" → "03", "lists/2" → "lists/02"), for file names that sort. */
export function paddedId(id: string): string {
  return id.replace(/\d+$/, (n) => n.padStart(2, "0"));
}

/** The extensions an extension requires, transitively, each after the ones it requires itself (validation rules out cycles). */
export function requiredExtensions(c: Challenge, ext: Extension): Extension[] {
  const out: Extension[] = [];
  const visit = (e: Extension): void => {
    for (const slug of e.requires) {
      const req = findExtension(c, slug);
      if (req && !out.includes(req)) {
        visit(req);
        out.push(req);
      }
    }
  };
  visit(ext);
  return out;
}

/**
 * What runs again as regression after a stage: for base stage n, base stages
 * 1..n-1; for stage n of an extension, every base stage, then the stages of
 * the extensions it requires (transitively, in order), then its stages 1..n-1.
 */
export function prerequisites(c: Challenge, s: StageInfo): StageInfo[] {
  if (s.extension === undefined) return c.stages.slice(0, s.number - 1);
  const ext = findExtension(c, s.extension);
  if (!ext) return [];
  return [...c.stages, ...requiredExtensions(c, ext).flatMap((e) => e.stages), ...ext.stages.slice(0, s.number - 1)];
}
