/**
 * Where a source file can be mutated: small, plausible mistakes (a comparison
 * turned around, a boundary moved by one, a condition negated, a call left
 * out) at places that are code, not comments or string literals.
 */

export interface Site {
  /** Offset of the replaced text in the file. */
  at: number;
  /** The text replaced, and what replaces it. */
  from: string;
  to: string;
  /** Which operator made it, e.g. "=== → !==". */
  operator: string;
}

/**
 * Marks each character of a TypeScript source as code (true) or not (false):
 * comments, string and template literals, and regular-expression literals are
 * not code. A scanner, not a parser: good enough to keep mutants out of text.
 */
export function codeMask(src: string): boolean[] {
  const mask = new Array<boolean>(src.length).fill(true);
  let i = 0;
  let lastSignificant = "";
  const mark = (from: number, to: number) => {
    for (let k = from; k < to && k < src.length; k++) mask[k] = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      const stop = end === -1 ? src.length : end;
      mark(i, stop);
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? src.length : end + 2;
      mark(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let k = i + 1;
      while (k < src.length && src[k] !== c) k += src[k] === "\\" ? 2 : 1;
      mark(i, k + 1);
      i = k + 1;
      lastSignificant = c;
      continue;
    }
    if (c === "/" && (lastSignificant === "" || "(,=:[!&|?{};+-*%<>~^".includes(lastSignificant) || /\b(return|typeof|case|of|in)$/.test(src.slice(Math.max(0, i - 8), i).trimEnd()))) {
      // A regular-expression literal.
      let k = i + 1;
      let inClass = false;
      while (k < src.length && src[k] !== "\n") {
        if (src[k] === "\\") k += 2;
        else if (src[k] === "[") (inClass = true), k++;
        else if (src[k] === "]") (inClass = false), k++;
        else if (src[k] === "/" && !inClass) break;
        else k++;
      }
      mark(i, k + 1);
      i = k + 1;
      lastSignificant = "/";
      continue;
    }
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return mask;
}

interface Operator {
  name: string;
  pattern: RegExp;
  /** The replacement for the whole match. */
  replace: (match: string) => string | undefined;
}

const OPERATORS: Operator[] = [
  { name: "=== → !==", pattern: /===/g, replace: () => "!==" },
  { name: "!== → ===", pattern: /!==/g, replace: () => "===" },
  { name: "< → <=", pattern: / < /g, replace: () => " <= " },
  { name: "<= → <", pattern: / <= /g, replace: () => " < " },
  { name: "> → >=", pattern: / > /g, replace: () => " >= " },
  { name: ">= → >", pattern: / >= /g, replace: () => " > " },
  { name: "&& → ||", pattern: / && /g, replace: () => " || " },
  { name: "|| → &&", pattern: / \|\| /g, replace: () => " && " },
  { name: "+ 1 → - 1", pattern: / \+ 1\b/g, replace: () => " - 1" },
  { name: "- 1 → + 1", pattern: / - 1\b/g, replace: () => " + 1" },
  { name: "true → false", pattern: /\btrue\b/g, replace: () => "false" },
  { name: "false → true", pattern: /\bfalse\b/g, replace: () => "true" },
  // `!x` → `x` (not `!=`, not a non-null assertion `x!`).
  { name: "drop !", pattern: /(?<![\w)\]!])!(?=[\w(])/g, replace: () => "" },
  // A small integer constant moved by one (not in identifiers, hex, or decimals).
  {
    name: "n → n+1",
    pattern: /(?<![\w.$])\d{1,6}(?![\w.])/g,
    replace: (m) => String(Number(m) + 1),
  },
];

/** A statement that is a bare call (`foo(…);`, `await x.y(…);`) on one line: left out. */
const CALL_STATEMENT = /^([ \t]*)((?:await )?[\w$.[\]]+\(.*\);)[ \t]*$/gm;

export function findSites(src: string): Site[] {
  const mask = codeMask(src);
  const sites: Site[] = [];
  const isCode = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (!mask[k]) return false;
    return true;
  };
  for (const op of OPERATORS) {
    for (const m of src.matchAll(op.pattern)) {
      const at = m.index!;
      if (!isCode(at, at + m[0].length)) continue;
      // Skip import lines and type-only lines: mutants there do not change behaviour or fail to load.
      const lineStart = src.lastIndexOf("\n", at) + 1;
      const line = src.slice(lineStart, src.indexOf("\n", at) === -1 ? src.length : src.indexOf("\n", at));
      if (/^\s*(import|export \{|export type|type |interface )/.test(line)) continue;
      const to = op.replace(m[0]);
      if (to === undefined || to === m[0]) continue;
      sites.push({ at, from: m[0], to, operator: op.name });
    }
  }
  for (const m of src.matchAll(CALL_STATEMENT)) {
    const at = m.index! + m[1]!.length;
    const stmt = m[2]!;
    if (!isCode(at, at + 1)) continue;
    if (/^(?:await )?(console\.|process\.stderr|process\.stdout)/.test(stmt)) continue;
    sites.push({ at, from: stmt, to: ";", operator: "drop call" });
  }
  return sites.sort((a, b) => a.at - b.at);
}

export function applySite(src: string, site: Site): string {
  return src.slice(0, site.at) + site.to + src.slice(site.at + site.from.length);
}

/** 1-based line of an offset. */
export function lineOf(src: string, at: number): number {
  let n = 1;
  for (let k = 0; k < at; k++) if (src.charCodeAt(k) === 10) n++;
  return n;
}
