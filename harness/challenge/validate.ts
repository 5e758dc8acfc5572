import {
  DIFFICULTIES,
  READINESS,
  type Challenge,
  type Client,
  type Difficulty,
  type ProgramContract,
  type Readiness,
  type RealImplementation,
  type SpecRef,
  type StageInfo,
} from "./schema.ts";

/** A challenge.yaml that does not have the expected shape. The message names the file and the field. */
export class ChallengeFileError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = "ChallengeFileError";
  }
}

type Obj = Record<string, unknown>;

/** Reads fields from one YAML mapping, reporting errors with the field's full path. */
class Fields {
  constructor(
    private readonly file: string,
    private readonly path: string,
    private readonly obj: Obj,
  ) {}

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw new ChallengeFileError(this.file, this.at(key), problem);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  string(key: string): string {
    const v = this.obj[key];
    if (typeof v !== "string" || v.trim() === "") this.fail(key, `must be a non-empty string (got ${show(v)})`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  number(key: string, min: number): number {
    const v = this.obj[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) this.fail(key, `must be a number ≥ ${min} (got ${show(v)})`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key);
    if (!allowed.includes(v as T)) this.fail(key, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")} (got "${v}")`);
    return v as T;
  }

  stringList(key: string): string[] {
    const v = this.obj[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) this.fail(key, `must be a list of strings (got ${show(v)})`);
    return v as string[];
  }

  object(key: string): Fields {
    const v = this.obj[key];
    if (!isObj(v)) this.fail(key, `must be a mapping (got ${show(v)})`);
    return new Fields(this.file, this.at(key), v);
  }

  list(key: string): Fields[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) this.fail(key, `must be a list (got ${show(v)})`);
    return v.map((item, i) => {
      if (!isObj(item)) throw new ChallengeFileError(this.file, `${this.at(key)}[${i}]`, `must be a mapping (got ${show(item)})`);
      return new Fields(this.file, `${this.at(key)}[${i}]`, item);
    });
  }

  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) this.fail(key, `unknown field (allowed: ${allowed.join(", ")})`);
    }
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  return JSON.stringify(v) ?? String(v);
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

export function validateChallenge(raw: unknown, file: string, slug: string): Challenge {
  if (!isObj(raw)) throw new ChallengeFileError(file, "(top level)", `must be a mapping (got ${show(raw)})`);
  const top = new Fields(file, "", raw);
  top.onlyKeys(["name", "summary", "program", "real", "clients", "stages"]);

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

  const stages: StageInfo[] = top.list("stages").map((s, i) => {
    s.onlyKeys(["number", "slug", "name", "difficulty", "spec", "timeout"]);
    const number = s.number("number", 1);
    if (number !== i + 1) s.fail("number", `stages must be numbered 1, 2, 3… in order (expected ${i + 1}, got ${number})`);
    const stageSlug = s.string("slug");
    if (!SLUG.test(stageSlug)) s.fail("slug", `must be lowercase words joined by "-" (got "${stageSlug}")`);
    const spec = specRefs(s, "spec");
    if (spec.length === 0) s.fail("spec", "every stage cites at least one spec section");
    const info: StageInfo = {
      number,
      slug: stageSlug,
      name: s.string("name"),
      difficulty: s.oneOf<Difficulty>("difficulty", DIFFICULTIES),
      spec,
    };
    if (s.has("timeout")) info.timeout = s.number("timeout", 1);
    return info;
  });
  if (stages.length === 0) top.fail("stages", "must list at least one stage");
  const seen = new Set<string>();
  stages.forEach((st, i) => {
    if (seen.has(st.slug)) throw new ChallengeFileError(file, `stages[${i}].slug`, `"${st.slug}" is used twice`);
    seen.add(st.slug);
  });

  return { slug, name: top.string("name"), summary: top.string("summary"), program, real, clients, stages, file };
}
