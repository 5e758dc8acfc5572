/** A challenge.yaml (or extension .yaml) that does not have the expected shape. The message names the file and the field. */
export class ChallengeFileError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = "ChallengeFileError";
  }
}

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  return JSON.stringify(v) ?? String(v);
}

/** Parses YAML text (Bun's own parser: loading the yaml package was most of a bun test process's start-up); a syntax error is a ChallengeFileError naming the file. */
export function parseYaml(text: string, file: string): unknown {
  try {
    return Bun.YAML.parse(text);
  } catch (e) {
    throw new ChallengeFileError(file, "(yaml)", (e as Error).message.split("\n")[0] ?? "not valid YAML");
  }
}

/** Reads fields from one YAML mapping, reporting errors with the file and the field's full path. */
export class Fields {
  constructor(
    readonly file: string,
    private readonly path: string,
    private readonly obj: Obj,
  ) {}

  /** The top-level mapping of a file. */
  static top(raw: unknown, file: string): Fields {
    if (!isObj(raw)) throw new ChallengeFileError(file, "(top level)", `must be a mapping (got ${show(raw)})`);
    return new Fields(file, "", raw);
  }

  at(key: string): string {
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

  /** A list of slugs (lowercase words joined by "-", starting with a letter), none twice. Absent: []. */
  slugList(key: string): string[] {
    if (!this.has(key)) return [];
    const list = this.stringList(key);
    list.forEach((s, i) => {
      const at = `${key}[${i}]`;
      if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(s)) this.fail(at, `must be lowercase words joined by "-", starting with a letter (got "${s}")`);
      if (list.indexOf(s) !== i) this.fail(at, `"${s}" is listed twice`);
    });
    return list;
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
