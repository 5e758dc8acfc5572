import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { Random } from "../../../harness/random.ts";
import { selfTests } from "../../../harness/self-test.ts";
import { diagnoseObject, sha1, withHeader } from "./git-objects.ts";
import { randomFiles } from "./git-repo.ts";

selfTests("git test repositories and object diagnosis", () => {
  test("the same seed gives the same files", () => {
    const a = randomFiles(new Random("42", "case"));
    const b = randomFiles(new Random("42", "case"));
    expect(a).toEqual(b);
    expect(randomFiles(new Random("43", "case"))).not.toEqual(a);
  });

  test("every directory holds the order trap, files are unique, executables and symlinks are there", () => {
    for (let seed = 0; seed < 20; seed++) {
      const files = randomFiles(new Random(String(seed)), { depth: 2 });
      const paths = files.map((f) => f.path);
      expect(new Set(paths).size).toBe(paths.length);
      expect(files.some((f) => f.kind === "executable")).toBe(true);
      expect(files.some((f) => f.kind === "symlink")).toBe(true);
      expect(files.some((f) => f.path.endsWith(".bin") && f.content.includes(0))).toBe(true);
      const dirs = new Set(paths.filter((p) => p.includes("/")).map((p) => p.slice(0, p.lastIndexOf("/"))));
      // The top level and the first directory down have a directory `x` beside `x.txt` and `x-1`.
      const traps = [...dirs].filter((d) => paths.includes(`${d}.txt`) && paths.includes(`${d}-1`));
      expect(traps.length).toBeGreaterThanOrEqual(2);
      // No path is both a file and a directory.
      for (const d of dirs) expect(paths.includes(d)).toBe(false);
    }
  });

  test("object ids: a blob's id is the SHA-1 of its header and content", () => {
    expect(sha1(withHeader("blob", Buffer.from("hello\n")))).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    expect(sha1(withHeader("tree", new Uint8Array()))).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });

  test("diagnoseObject names the missing header and the hash of the compressed bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-git-test-"));
    try {
      const body = Buffer.from("some content\n");
      expect(diagnoseObject(dir, sha1(body), "blob", body)).toContain("without the header");
      expect(diagnoseObject(dir, sha1(deflateSync(withHeader("blob", body))), "blob", body)).toContain("compressed bytes");
      // A stored file that inflates to content without a header.
      const oid = sha1(withHeader("blob", body));
      mkdirSync(join(dir, "objects", oid.slice(0, 2)), { recursive: true });
      writeFileSync(join(dir, "objects", oid.slice(0, 2), oid.slice(2)), deflateSync(body));
      expect(diagnoseObject(dir, oid, "blob", body)).toContain("does not start with its header");
      writeFileSync(join(dir, "objects", oid.slice(0, 2), oid.slice(2)), body);
      expect(diagnoseObject(dir, oid, "blob", body)).toContain("not zlib-compressed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
