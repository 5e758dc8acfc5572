/**
 * Text files and edits for the diff stages, and the judge's reading of a
 * wrong `git diff` output.
 *
 * Every line the generator writes is new (a counter makes it unique), and
 * an edit only deletes lines and inserts new ones, never moves or repeats
 * one. So the lines both versions share are exactly the kept ones, the
 * minimal diff is unique, and no block of change can slide (sliding needs
 * a repeated line): real git's Myers diff, with its compaction and indent
 * heuristics, has only one answer, which any minimal diff reproduces.
 * https://git-scm.com/docs/git-diff, https://git-scm.com/docs/gitdiffcore
 */
import type { Random } from "../../../harness/random.ts";

/** Unique lines in a few shapes: some start with a letter (git's default function-name lines), some are indented or punctuation. */
export class LineMaker {
  private n = 0;
  constructor(private readonly rand: Random) {}

  line(): string {
    const w = this.rand.word();
    const n = ++this.n;
    switch (this.rand.int(0, 7)) {
      case 0:
        return `${w}_section_${n}:\n`;
      case 1:
        return `def ${w}_${n}(self):\n`;
      case 2:
        return `    ${w} = ${n}\n`;
      case 3:
        return `\treturn ${w}(${n});\n`;
      case 4:
        return `# ${w} note ${n}\n`;
      case 5:
        return `  - ${w} ${n}\n`;
      case 6:
        return `} // ${w} ${n}\n`;
      default:
        // A long one (a function-name line is cut to 80 bytes) or one ending in spaces (trimmed in a hunk header).
        return this.rand.int(0, 1) === 0 ? `${w}_${n} ${Array.from({ length: 12 }, () => this.rand.word()).join(" ")}\n` : `${w} ${n}   \n`;
    }
  }

  lines(count: number): string[] {
    return Array.from({ length: count }, () => this.line());
  }
}

export const joinLines = (lines: string[]): Uint8Array => new TextEncoder().encode(lines.join(""));

/** What an edit did, for the transcript. */
export interface Edited {
  lines: string[];
  what: string;
}

/**
 * `groups` separate edits (replace, insert or delete a few lines) at sorted
 * positions at least `gap` kept lines apart; the first edit of a file with
 * `close` is 2–5 lines from the second (one hunk), others may be far.
 */
export function editLines(rand: Random, make: LineMaker, lines: string[], groups: number, close = false): Edited {
  const out = [...lines];
  const spots: number[] = [];
  const room = lines.length;
  let at = rand.int(0, Math.max(0, Math.floor(room / (groups + 1))));
  for (let g = 0; g < groups && at < room; g++) {
    spots.push(at);
    at += close && g === 0 ? rand.int(3, 6) : rand.int(2, Math.max(2, Math.floor(room / groups)));
  }
  const done: string[] = [];
  for (const spot of spots.reverse()) {
    const kind = rand.int(0, 2);
    if (kind === 0) {
      const del = Math.min(rand.int(1, 2), out.length - spot);
      out.splice(spot, del, ...make.lines(rand.int(1, 2)));
      done.push(`replaced line ${spot + 1}`);
    } else if (kind === 1) {
      out.splice(spot, 0, ...make.lines(rand.int(1, 3)));
      done.push(`inserted lines before line ${spot + 1}`);
    } else {
      out.splice(spot, Math.min(rand.int(1, 2), Math.max(1, out.length - spot)));
      done.push(`deleted line ${spot + 1}`);
    }
  }
  return { lines: out, what: done.reverse().join(", ") };
}

/** The per-file sections of a diff, by the path in their `diff --git` line. */
function sections(diff: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of diff.split(/^(?=diff --git )/m)) {
    if (part === "") continue;
    const m = /^diff --git a\/(\S+)/.exec(part);
    const key = m?.[1] ?? "(before the first diff --git line)";
    out.set(key, (out.get(key) ?? "") + part);
  }
  return out;
}

const count = (s: string, mark: string) => s.split("\n").filter((l) => l.startsWith(mark) && !l.startsWith(`${mark}${mark}${mark} `)).length;

export const HEADER_HINT =
  "Each file's diff starts `diff --git a/<path> b/<path>`; then `new file mode <mode>`, `deleted file mode <mode>`, or `old mode <mode>` and `new mode <mode>` when those apply; then `index <old id>..<new id>` (7 hex digits each, 0000000 for a side that does not exist), followed by ` <mode>` when the mode did not change; no index line when only the mode changed. For `diff` (the working tree against the index) the new id is the blob id of the file's content: hash it.";
export const HUNK_HINT =
  "A hunk header is `@@ -<start>,<count> +<start>,<count> @@`, with `,<count>` left out when the count is 1 and, for an empty side, the start is the line before (`-0,0`); each hunk has up to 3 lines of context around its changes, and two changes at most 6 unchanged lines apart share a hunk. After `@@` comes a space and the last line before the hunk that starts with a letter, `_` or `$` (cut to 80 bytes, trailing whitespace dropped), if there is one.";
export const FUNCNAME_HINT =
  "After a hunk header's second `@@` comes a space and git's default function name: the last line before the hunk, in the old version, that starts with a letter, `_` or `$` (not a digit, a space or a tab), cut to 80 bytes, then with its trailing whitespace dropped; nothing when no line before the hunk qualifies.";
export const NEWLINE_HINT = "When a line has no newline (the last line of a file that does not end in one), the next line of the diff is `\\ No newline at end of file`, whether the line is removed, added or context.";
export const BINARY_HINT = "A file with a NUL byte in its first 8000 bytes is binary: its diff is the header and index line, then `Binary files a/<path> and b/<path> differ` (/dev/null for a side that does not exist).";
export const MINIMAL_HINT =
  "A diff must be a shortest edit script: keep a longest common subsequence of lines and change only the rest. Myers' O(ND) algorithm finds one; a diff that replaces everything between the first and the last difference, or matches lines greedily, is correct but not minimal.";
export const PATHS_HINT = "List one `diff --git` section per changed path, in byte order of the paths; leave out unchanged paths, and (for `diff`) untracked files.";

/** Names what is wrong in a diff that differs from real git's: which file, and header, minimality, hunk header, newline or binary. */
export function diffProblem(ours: string, real: string): { message: string; hint: string } {
  const o = sections(ours);
  const r = sections(real);
  const oursPaths = [...o.keys()].join(", ") || "none";
  const realPaths = [...r.keys()].join(", ") || "none";
  if (oursPaths !== realPaths) return { message: `Your diff has sections for ${oursPaths}; real git's for ${realPaths}.`, hint: PATHS_HINT };
  for (const [path, theirs] of r) {
    const mine = o.get(path)!;
    if (mine === theirs) continue;
    const head = (s: string) => s.split(/^(?=--- |Binary files |@@ )/m)[0]!;
    if (head(mine) !== head(theirs)) return { message: `The header lines of ${path}'s diff differ from real git's.`, hint: HEADER_HINT };
    if (theirs.includes("\nBinary files ") || mine.includes("\nBinary files ")) return { message: `${path} is binary: its diff differs from real git's.`, hint: BINARY_HINT };
    if (theirs.includes("\r\n") && mine === theirs.replace(/\r\n/g, "\n")) return { message: `${path} has CRLF line endings: its diff's lines lost their \\r.`, hint: "A line is everything up to and including its \\n: a \\r before it belongs to the line, in the comparison and in the output. Split at \\n only, and write the lines' bytes as they are." };
    const names = (s: string) => s.split("\n").filter((l) => /^(---|\+\+\+) /.test(l)).slice(0, 2).join("\n");
    if (names(mine) !== names(theirs)) return { message: `The --- and +++ lines of ${path}'s diff differ from real git's.`, hint: "After the header, `--- a/<path>` and `+++ b/<path>`, with `/dev/null` for a side that does not exist (`--- /dev/null` for an added path, `+++ /dev/null` for a removed one)." };
    const [od, oa, rd, ra] = [count(mine, "-"), count(mine, "+"), count(theirs, "-"), count(theirs, "+")];
    if (od + oa > rd + ra) {
      return { message: `Your diff of ${path} is not minimal: it removes ${od} and adds ${oa} lines, where real git's removes ${rd} and adds ${ra}.`, hint: MINIMAL_HINT };
    }
    if (theirs.includes("\\ No newline") !== mine.includes("\\ No newline")) return { message: `The diff of ${path} differs from real git's at the end of the file.`, hint: NEWLINE_HINT };
    const hunks = (s: string) => s.split("\n").filter((l) => l.startsWith("@@ ")).join("\n");
    if (hunks(mine) !== hunks(theirs)) {
      const ranges = (h: string) => h.replace(/^(@@ [^@]* @@).*$/gm, "$1");
      if (ranges(hunks(mine)) === ranges(hunks(theirs))) return { message: `The function names in the hunk headers of ${path}'s diff differ from real git's.`, hint: FUNCNAME_HINT };
      return { message: `The hunk headers of ${path}'s diff differ from real git's.`, hint: HUNK_HINT };
    }
    return { message: `The diff of ${path} differs from real git's.`, hint: `${HUNK_HINT} Within a change, the removed lines (-) come before the added ones (+).` };
  }
  return { message: "Your diff differs from real git's.", hint: PATHS_HINT };
}
