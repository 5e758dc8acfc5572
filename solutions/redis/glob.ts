// Glob-style pattern matching with the semantics of Redis's stringmatchlen()
// (used by KEYS, and case-insensitively by CONFIG GET):
//
//   *        any run of bytes          ?      exactly one byte
//   [abc]    one of a, b, c            [^abc] any byte except a, b, c
//   [a-z]    a byte in the range (ends may be reversed: [z-a] is [a-z])
//   \x       the byte x literally (also inside brackets)
//
// Quirks kept on purpose so results equal Redis's:
//   - an unterminated "[abc" is a set that ends with the pattern;
//   - inside brackets a backslash-escaped byte is compared case-sensitively
//     even when matching case-insensitively;
//   - a non-empty pattern never matches the empty string (not even "*");
//     KEYS special-cases the pattern "*" itself, so KEYS * still lists "".
//
// Patterns and subjects are byte strings (one char per byte, see text.ts).
// The pattern is compiled once into single-byte "steps" and stars, then
// matched with the usual backtrack-to-last-star loop: O(pattern * subject)
// in the worst case, never exponential.

type Step =
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "byte"; code: number }
  | { kind: "set"; negated: boolean; members: SetMember[] };

type SetMember =
  | { kind: "byte"; code: number; exact: boolean }
  | { kind: "range"; from: number; to: number };

export type Matcher = (subject: string) => boolean;

const STAR = 0x2a; // *
const QUESTION = 0x3f; // ?
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const CARET = 0x5e; // ^
const DASH = 0x2d; // -
const BACKSLASH = 0x5c; // \

function lower(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

function parseSet(pattern: string, start: number): { step: Step; next: number } {
  // `start` is just after the '['.
  const len = pattern.length;
  let p = start;
  const negated = p < len && pattern.charCodeAt(p) === CARET;
  if (negated) p++;
  const members: SetMember[] = [];
  for (;;) {
    const remaining = len - p;
    const c = pattern.charCodeAt(p);
    if (remaining >= 2 && c === BACKSLASH) {
      members.push({ kind: "byte", code: pattern.charCodeAt(p + 1), exact: true });
      p += 2;
    } else if (remaining >= 1 && c === CLOSE) {
      return { step: { kind: "set", negated, members }, next: p + 1 };
    } else if (remaining === 0) {
      // Unterminated: the set simply ends with the pattern.
      return { step: { kind: "set", negated, members }, next: len };
    } else if (remaining >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      const a = c;
      const b = pattern.charCodeAt(p + 2);
      members.push({ kind: "range", from: Math.min(a, b), to: Math.max(a, b) });
      p += 3;
    } else {
      members.push({ kind: "byte", code: c, exact: false });
      p += 1;
    }
  }
}

function compile(pattern: string): Step[] {
  const steps: Step[] = [];
  const len = pattern.length;
  let p = 0;
  while (p < len) {
    const c = pattern.charCodeAt(p);
    if (c === STAR) {
      if (steps.at(-1)?.kind !== "star") steps.push({ kind: "star" });
      p++;
    } else if (c === QUESTION) {
      steps.push({ kind: "any" });
      p++;
    } else if (c === OPEN) {
      const { step, next } = parseSet(pattern, p + 1);
      steps.push(step);
      p = next;
    } else if (c === BACKSLASH && p + 1 < len) {
      steps.push({ kind: "byte", code: pattern.charCodeAt(p + 1) });
      p += 2;
    } else {
      steps.push({ kind: "byte", code: c });
      p++;
    }
  }
  return steps;
}

function stepMatches(step: Step, code: number, nocase: boolean): boolean {
  switch (step.kind) {
    case "star":
      return false; // handled by the caller
    case "any":
      return true;
    case "byte":
      return nocase ? lower(step.code) === lower(code) : step.code === code;
    case "set": {
      let found = false;
      for (const m of step.members) {
        if (m.kind === "range") {
          const c = nocase ? lower(code) : code;
          const from = nocase ? lower(m.from) : m.from;
          const to = nocase ? lower(m.to) : m.to;
          // Lower-casing can reorder the ends; Redis swaps before lowering.
          if (c >= from && c <= to) found = true;
        } else if (m.exact || !nocase) {
          if (m.code === code) found = true;
        } else if (lower(m.code) === lower(code)) {
          found = true;
        }
      }
      return step.negated ? !found : found;
    }
  }
}

/** Compiles `pattern` once, for matching many subjects (e.g. every key). */
export function compileGlob(pattern: string, nocase = false): Matcher {
  if (pattern.length === 0) return (subject) => subject.length === 0;
  const steps = compile(pattern);
  const count = steps.length;
  return (subject: string): boolean => {
    const n = subject.length;
    if (n === 0) return false;
    let i = 0; // next step
    let j = 0; // next subject byte
    let starStep = -1; // index of the last star seen
    let starFrom = 0; // subject position that star currently extends to
    while (j < n) {
      const step = steps[i];
      if (step !== undefined && step.kind === "star") {
        starStep = i;
        starFrom = j;
        i++;
      } else if (step !== undefined && stepMatches(step, subject.charCodeAt(j), nocase)) {
        i++;
        j++;
      } else if (starStep >= 0) {
        // Let the last star swallow one more byte and retry after it.
        i = starStep + 1;
        starFrom++;
        j = starFrom;
      } else {
        return false;
      }
    }
    while (i < count && steps[i]!.kind === "star") i++;
    return i === count;
  };
}

/** One-off match of a byte-string `subject` against a glob `pattern`. */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  return compileGlob(pattern, nocase)(subject);
}
