import { dirname, join } from "node:path";
import { ChallengeFileError, Fields, parseYaml } from "./fields.ts";
import {
  DIFFICULTIES,
  NEEDS,
  READINESS,
  type Challenge,
  type Client,
  type Difficulty,
  type Extension,
  type Need,
  type ProgramContract,
  type Readiness,
  type RealImplementation,
  type SpecRef,
  type StageInfo,
} from "./schema.ts";

export { ChallengeFileError } from "./fields.ts";

/** Reads a file's text, or undefined when there is no such file. */
export type ReadText = (path: string) => string | undefined;

/** Where an extension's definition lives: challenges/<challenge>/extensions/<ext>.yaml. */
export function extensionFile(challengeFile: string, ext: string): string {
  return join(dirname(challengeFile), "extensions", `${ext}.yaml`);
}

function specRefs(f: Fields, key: string): SpecRef[] {
  return f.list(key).map((s) => {
    s.onlyKeys(["title", "url"]);
    const url = s.string("url");
    if (!/^https?:\/\//.test(url)) s.fail("url", `must be an http(s) URL (got "${url}")`);
    return { title: s.string("title"), url };
  });
}

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The `stages:` list of challenge.yaml or of an extension's file: numbered 1, 2, 3…, slugs unique. */
function stageList(top: Fields, extension?: string): StageInfo[] {
  const stages = top.list("stages").map((s, i) => {
    s.onlyKeys(["number", "slug", "name", "difficulty", "spec", "timeout", "real_differs", "needs"]);
    const number = s.number("number", 1);
    if (number !== i + 1) s.fail("number", `stages must be numbered 1, 2, 3… in order (expected ${i + 1}, got ${number})`);
    const stageSlug = s.string("slug");
    if (!SLUG.test(stageSlug)) s.fail("slug", `must be lowercase words joined by "-" (got "${stageSlug}")`);
    const spec = specRefs(s, "spec");
    if (spec.length === 0) s.fail("spec", "every stage cites at least one spec section");
    const info: StageInfo = {
      id: extension ? `${extension}/${number}` : String(number),
      number,
      slug: stageSlug,
      name: s.string("name"),
      difficulty: s.oneOf<Difficulty>("difficulty", DIFFICULTIES),
      spec,
    };
    if (extension) info.extension = extension;
    if (s.has("timeout")) info.timeout = s.number("timeout", 1);
    if (s.has("real_differs")) info.realDiffers = s.string("real_differs");
    if (s.has("needs")) info.needs = s.slugList("needs").map((n, j) => (NEEDS.includes(n as Need) ? (n as Need) : s.fail(`needs[${j}]`, `must be one of ${NEEDS.join(", ")} (got "${n}")`)));
    return info;
  });
  if (stages.length === 0) top.fail("stages", "must list at least one stage");
  stages.forEach((st, i) => {
    if (stages.findIndex((o) => o.slug === st.slug) !== i) top.fail(`stages[${i}].slug`, `"${st.slug}" is used twice`);
  });
  return stages;
}

function validateExtension(raw: unknown, file: string, slug: string): Extension {
  const top: Fields = Fields.top(raw, file);
  top.onlyKeys(["name", "summary", "requires", "stages"]);
  const requires = top.slugList("requires");
  if (requires.includes(slug)) top.fail(`requires[${requires.indexOf(slug)}]`, `an extension cannot require itself ("${slug}")`);
  return { slug, name: top.string("name"), summary: top.string("summary"), requires, stages: stageList(top, slug), file };
}

/** Each extension's `requires` names listed extensions, without a cycle. */
function checkRequires(extensions: Extension[], challengeFile: string): void {
  const known = extensions.map((e) => e.slug);
  for (const ext of extensions) {
    ext.requires.forEach((r, i) => {
      if (!known.includes(r)) throw new ChallengeFileError(ext.file, `requires[${i}]`, `unknown extension "${r}" (${challengeFile} lists: ${known.join(", ")})`);
    });
  }
  const bySlug = new Map(extensions.map((e) => [e.slug, e]));
  const visit = (slug: string, path: string[]): void => {
    if (path.includes(slug)) {
      const cycle = [...path.slice(path.indexOf(slug)), slug];
      throw new ChallengeFileError(bySlug.get(slug)!.file, "requires", `extensions cannot require each other in a cycle (${cycle.join(" → ")})`);
    }
    for (const r of bySlug.get(slug)!.requires) visit(r, [...path, slug]);
  };
  for (const ext of extensions) visit(ext.slug, []);
}

/**
 * Validates a parsed challenge.yaml, and the extension files it lists (read
 * with `readText` from challenges/<slug>/extensions/<ext>.yaml).
 */
export function validateChallenge(raw: unknown, file: string, slug: string, readText: ReadText = () => undefined): Challenge {
  const top: Fields = Fields.top(raw, file);
  top.onlyKeys(["name", "summary", "program", "real", "clients", "stages", "extensions"]);

  const p = top.object("program");
  p.onlyKeys(["kind", "args", "ready", "reference"]);
  const program: ProgramContract = {
    kind: p.oneOf("kind", ["server", "command"] as const),
    args: p.stringList("args"),
    ready: p.oneOf<Readiness>("ready", READINESS),
    reference: p.string("reference"),
  };
  if (program.kind === "server" && program.ready === "none") p.fail("ready", `a server must say how readiness is detected ("tcp" or "udp")`);
  if (program.ready !== "none" && !program.args.some((a) => a.includes("{port}"))) p.fail("args", `must pass the port ({port}) when ready is "${program.ready}"`);

  let real: RealImplementation | undefined;
  if (top.has("real")) {
    const r = top.object("real");
    r.onlyKeys(["command", "package"]);
    real = { command: r.string("command"), package: r.string("package") };
  }

  const clients: Client[] = top.list("clients").map((c) => {
    c.onlyKeys(["binary", "package"]);
    return { binary: c.string("binary"), package: c.string("package") };
  });

  const stages = stageList(top);

  const extensions = top.slugList("extensions").map((ext, i) => {
    const extFile = extensionFile(file, ext);
    const text = readText(extFile);
    if (text === undefined) top.fail(`extensions[${i}]`, `the extension "${ext}" has no file ${extFile}`);
    return validateExtension(parseYaml(text, extFile), extFile, ext);
  });
  checkRequires(extensions, file);

  return { slug, name: top.string("name"), summary: top.string("summary"), program, real, clients, stages, extensions, file };
}
