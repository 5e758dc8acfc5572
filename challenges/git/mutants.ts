/**
 * bun challenges/git/mutants.ts [--only=<id>] [--batch=1|2] [--seed=<n>]
 *
 * Hand-written mutants of the reference Git, for the mutation score in
 * challenges/git/README.md ("Promises and checks"): each one plausible
 * mistake written from another reading of a stage's .md than the one its
 * cases and the fixtures in harness/fixtures/git came from, run against that
 * stage (see harness/mutate/hand.ts). Those marked with a note are
 * equivalent for the tests, and say why.
 */
import { handMutantsMain, type HandMutant } from "../../harness/mutate/hand.ts";

export const MUTANTS: HandMutant[] = [
  { batch: 1, id: "init-head-main", stage: "1", reading: "HEAD names the default branch; today that is main", file: "repo.ts", find: "writeFileSync(join(gitDir, \"HEAD\"), \"ref: refs/heads/master\\n\");", replace: "writeFileSync(join(gitDir, \"HEAD\"), \"ref: refs/heads/main\\n\");", note: "equivalent: the .md accepts any branch name (git's own default is configurable)" },
  { batch: 1, id: "cat-size-whole-object", stage: "2", reading: "-s prints the object's size: the header counts too", file: "main.ts", find: "else if (flag === \"-s\") out(`${obj.body.length}\\n`);", replace: "else if (flag === \"-s\") out(`${obj.body.length + `${obj.type} ${obj.body.length}`.length + 1}\\n`);" },
  { batch: 1, id: "dotfiles-skipped", stage: "4", reading: "everything except .git: hidden files are not tracked either", file: "tree.ts", find: "    if (name === \".git\") continue;", replace: "    if (name.startsWith(\".\")) continue;" },
  { batch: 1, id: "zone-plus-only", stage: "6", reading: "the date is `<unix time> <+hhmm>`", file: "commit.ts", find: "/^@?(\\d+)(?: ([+-]\\d{4}))?$/", replace: "/^@?(\\d+)(?: (\\+\\d{4}))?$/" },
  { batch: 1, id: "padding-none-when-aligned", stage: "7", reading: "NULs pad the entry to a multiple of 8 (none when it already is one)", file: "index-file.ts", find: "padding: (length) => 8 - (length % 8),", replace: "padding: (length) => (8 - (length % 8)) % 8," },
  { batch: 1, id: "add-deleted-path-refused", stage: "7", reading: "a path that does not exist on disk is an error", file: "add.ts", find: "if (files.length === 0 && tracked.length === 0)", replace: "if (files.length === 0)" },
  { batch: 1, id: "write-tree-all-stages", stage: "7", reading: "write-tree writes every entry of the index", file: "main.ts", find: "readIndex(gitDir).filter((e) => e.stage === 0)", replace: "readIndex(gitDir)", note: "equivalent in stage 7: its indexes never hold a conflict (stages 1-3)" },
  { batch: 1, id: "stage-bits-unmasked", stage: "8", reading: "the stage is the flags' top bits", file: "index-file.ts", find: "stage: (flags >> 12) & 3,", replace: "stage: flags >> 12,", note: "equivalent: bits 14-15 (extended, assume-valid) are 0 in every version 2 index real git writes for the tests" },
  { batch: 1, id: "untracked-dir-when-empty", stage: "9", reading: "a directory with no tracked file is shown once as `?? dir/`, whatever it holds", file: "status.ts", find: "else if (filesUnder(workTree, path).length > 0) out.push(`${path}/`);", replace: "else out.push(`${path}/`);" },
  { batch: 1, id: "untracked-locale-order", stage: "9", reading: "untracked files sorted (alphabetically)", file: "status.ts", find: "found.sort(byBytes)", replace: "found.sort((a, b) => a.localeCompare(b))" },
  { batch: 1, id: "hunk-empty-start-plus-one", stage: "11", reading: "a hunk's start is the 1-based line where it starts, empty side too", file: "diff.ts", find: "${count === 0 ? start : start + 1},${count}", replace: "${start + 1},${count}" },
  { batch: 1, id: "insert-128-bytes", stage: "14", reading: "an insert instruction carries up to 128 bytes", file: "pack.ts", find: "const part = pending.slice(i, i + 127);", replace: "const part = pending.slice(i, i + 128);" },
  { batch: 1, id: "branches-in-file-order", stage: "12", reading: "branch lists the refs as found (packed-refs, then the loose files)", file: "refs.ts", find: "  return new Map([...out].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))));", replace: "  return out;" },
  { batch: 1, id: "oneline-first-line", stage: "12", reading: "--oneline prints the message's first line", file: "log.ts", find: ".trim().split(\"\\n\").join(\" \");", replace: ".trim().split(\"\\n\")[0]!;" },
  { batch: 1, id: "merge-message-into-master", stage: "13", reading: "the message names both branches: `Merge branch '<b>' into <current>`", file: "merge.ts", find: "${branch && branch !== \"master\" && branch !== \"main\" ? ` into ${branch}` : \"\"}", replace: "${branch ? ` into ${branch}` : \"\"}" },
  { batch: 1, id: "fanout-counts-below", stage: "14", reading: "fan-out entry i counts the ids whose first byte is below i", file: "pack.ts", find: "parseInt(sorted[at]!.oid.slice(0, 2), 16) <= i) at++;", replace: "parseInt(sorted[at]!.oid.slice(0, 2), 16) < i) at++;" },
  { batch: 1, id: "ofs-distance-plain", stage: "14", reading: "the distance back is a big-endian varint, 7 bits a byte", file: "pack.ts", find: "    n -= 1;", replace: "" },
  { batch: 1, id: "clone-refspec-unforced", stage: "15", reading: "the fetch refspec is refs/heads/*:refs/remotes/origin/*", file: "clone.ts", find: "fetch = +refs/heads/*:refs/remotes/origin/*", replace: "fetch = refs/heads/*:refs/remotes/origin/*" },
  { batch: 1, id: "symref-always-master", stage: "18", reading: "HEAD's symref-target is the default branch", file: "serve.ts", find: "symref-target:${target.slice(5)}", replace: "symref-target:refs/heads/master" },
  { batch: 1, id: "peel-ignored", stage: "18", reading: "ls-refs lists each ref's own id", file: "serve.ts", find: "const p = peeled ? peel(store, oid) : oid;", replace: "const p = oid;" },
  { batch: 2, id: "rm-one-empty-dir", stage: "10", reading: "rm removes the directory a file leaves empty", file: "rm.ts", find: "for (let dir = dirname(path); dir !== \".\"; dir = dirname(dir)) {", replace: "for (let dir = dirname(path); dir !== \".\"; dir = \".\") {" },
  { batch: 2, id: "binary-new-side-only", stage: "11", reading: "a file is binary when its new version has a NUL", file: "diff.ts", find: "if (steps.binary(aData) || steps.binary(bData))", replace: "if (steps.binary(bData))" },
  { batch: 2, id: "log-committer-date", stage: "12", reading: "the Date: line is the commit's date (the committer's)", file: "log.ts", find: "steps.date(c.author.time, c.author.zone)", replace: "steps.date(c.committerTime, c.author.zone)" },
  { batch: 2, id: "fast-forward-ref-only", stage: "13", reading: "a fast-forward moves the branch", file: "merge.ts", find: "    checkoutTree(store, workTree, other);", replace: "" },
  { batch: 2, id: "hash-object-text", stage: "2", reading: "hash-object hashes the file's text", file: "main.ts", find: "const body = readFileSync(file);", replace: "const body = Buffer.from(readFileSync(file, \"utf8\"));" },
  { batch: 2, id: "clone-branch-master", stage: "15", reading: "a clone checks out master", file: "clone.ts", find: "const branch = head?.symref?.startsWith(\"refs/heads/\") ? head.symref.slice(\"refs/heads/\".length) : undefined;", replace: "const branch: string | undefined = head ? \"master\" : undefined;" },
  { batch: 2, id: "push-abbrev-8", stage: "17", reading: "the status table abbreviates ids", file: "push.ts", find: "const abbrev = (oid: string) => oid.slice(0, 7);", replace: "const abbrev = (oid: string) => oid.slice(0, 8);" },
];

if (import.meta.main) await handMutantsMain("git", "main.ts", MUTANTS, Bun.argv.slice(2));
