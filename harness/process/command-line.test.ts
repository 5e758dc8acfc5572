import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { selfTests } from "../self-test.ts";
import { isSimpleCommand, programArgv } from "../stage/program.ts";
import { GroupProcess } from "./spawn.ts";

/** The program under test is the process the harness starts (exec'd), unless its command line needs a shell that waits. */
selfTests("how a command line is started", () => {
  test("simple commands and commands with shell operators are told apart", () => {
    for (const simple of ["./your_program.sh", "python3 app.py", "bun run 'my app/main.ts'", 'A=1 B="x y" ./run', "./run > log.txt", "prog \"a;b\" 'c&&d' $HOME", "prog \\;"]) expect({ simple, ok: isSimpleCommand(simple) }).toEqual({ simple, ok: true });
    for (const compound of ["cd app && ./run", "./a; ./b", "./a | tee log", "./run &", "(cd app; ./run)", "./run 2>&1", "if true; then ./run; fi", "exec ./run", "./run\n./other", "'unterminated"]) expect({ compound, ok: isSimpleCommand(compound) }).toEqual({ compound, ok: false });
  });

  test("a simple command is exec'd: the process started is the program itself, with leading assignments in its environment", async () => {
    const p = new GroupProcess(programArgv("MARK=exec-check sleep", ["7"]), { cwd: tmpdir() });
    await Bun.sleep(200);
    expect(readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0").filter(Boolean)).toEqual(["sleep", "7"]);
    expect(readFileSync(`/proc/${p.pid}/environ`, "utf8").split("\0")).toContain("MARK=exec-check");
    await p.stop(0);
    expect(await p.exited).toBe(128 + 15);
  });

  test("a command with shell operators runs in a shell, and its exit code is the command's", async () => {
    const p = new GroupProcess(programArgv("cd / && exit 7", []), { cwd: tmpdir() });
    expect(await p.waitExit(3000)).toBe(7);
    // The arguments go to the last command, each as one word.
    const q = new GroupProcess(programArgv("true && printf '%s|'", ["a b", "c"]), { cwd: tmpdir() });
    expect(await q.waitExit(3000)).toBe(0);
    expect(q.output.text()).toBe("a b|c|");
  });
});
