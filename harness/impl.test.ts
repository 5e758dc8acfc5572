import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chmodSync } from "node:fs";
import { absolutize, configuredImpls, programProblem } from "./impl.ts";
import { selfTests } from "./self-test.ts";

const KNOWN = ["dns", "redis"];

function configError(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "syscraft-config-"));
  const file = join(dir, "syscraft.local.yaml");
  try {
    writeFileSync(file, text);
    configuredImpls(file, KNOWN);
    return "(no error)";
  } catch (e) {
    return (e as Error).message.replace(file, "FILE");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

selfTests("syscraft.local.yaml is validated (seen: each of these silently ran the reference)", () => {
  test("a misspelt challenge names the line and the closest challenge", () => {
    expect(configError("impl:\n  redsi: /x/run.sh\n")).toBe('FILE:2: impl.redsi: no challenge named "redsi" (did you mean redis?); known: dns, redis');
  });

  test("a plain-string impl: is refused with an example", () => {
    expect(configError("impl: /path/run.sh\n")).toStartWith('FILE:1: impl: must map each challenge to its command line (got the string "/path/run.sh")');
  });

  test("a file without impl:, an unknown key, a wrong value or bad YAML is refused with file and line", () => {
    expect(configError("redis: /x/run.sh\n")).toStartWith("FILE:1: redis: unknown field");
    expect(configError("# nothing but a comment\nother: 1\n")).toStartWith("FILE:2: other: unknown field");
    expect(configError("impl:\n  redis: [1, 2]\n")).toStartWith("FILE:2: impl.redis: must be a command line");
    expect(configError('impl:\n  redis: "unterminated\n')).toMatch(/^FILE:\d+: \(yaml\): not valid YAML/);
    expect(configError("- a\n- b\n")).toStartWith("FILE:1: (top level): must be a mapping with one key, impl:");
  });

  test("a valid file maps challenges to commands with their line", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-config-"));
    const file = join(dir, "c.yaml");
    writeFileSync(file, "# comment\nimpl:\n  redis: /x/run.sh\n");
    expect(configuredImpls(file, KNOWN)).toEqual({ redis: { command: "/x/run.sh", line: 3 } });
    rmSync(dir, { recursive: true, force: true });
  });
});

selfTests("the command line of the program under test", () => {
  test("words naming a file relative to where the learner ran the command are made absolute (seen: python3 app.py failed)", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-impl-"));
    try {
      writeFileSync(join(dir, "app.py"), "");
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub", "run.sh"), "");
      expect(absolutize("python3 app.py --verbose", dir)).toBe(`python3 ${join(dir, "app.py")} --verbose`);
      expect(absolutize("./sub/run.sh", dir)).toBe(join(dir, "sub", "run.sh"));
      expect(absolutize("python3 missing.py", dir)).toBe("python3 missing.py");
      expect(absolutize("python3 -c 'x' A=b", dir)).toBe("python3 -c 'x' A=b");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a program that does not exist or is not executable is named before anything runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-impl-"));
    try {
      writeFileSync(join(dir, "run.sh"), "#!/bin/sh\n");
      const impl = (command: string) => ({ command, base: dir, source: "flag or SYSCRAFT_IMPL" as const, origin: "from --impl" });
      expect(programProblem(impl("./nope.sh"))).toBe(`./nope.sh (from --impl): ./nope.sh does not exist (relative to ${dir})`);
      expect(programProblem(impl("PORT=1 ./run.sh"))).toBe(`PORT=1 ./run.sh (from --impl): ${join(dir, "run.sh")} is not executable: chmod +x ${join(dir, "run.sh")}`);
      chmodSync(join(dir, "run.sh"), 0o755);
      expect(programProblem(impl("./run.sh"))).toBeUndefined();
      expect(programProblem(impl("python3 missing.py"))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
