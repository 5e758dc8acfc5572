import { expect, test } from "bun:test";
import { selfTests } from "../self-test.ts";
import { formatFailure, renderDiff, StageFailure } from "./failure.ts";
import { caret, printfFormat, shellLine, visible, withStdin } from "./show.ts";
import { MAX_OUTPUT_LINE, Transcript } from "./transcript.ts";

selfTests("failure reports", () => {
  test("invisible bytes are shown escaped", () => {
    expect(visible("+PONG\r\n")).toBe("+PONG\\r\\n");
    expect(visible(new Uint8Array([0, 0xff]))).toBe("\\x00\\xff");
  });

  test("a caret points at the offending byte", () => {
    expect(caret(Buffer.from("+PONG\n"), 5)).toBe("+PONG\\n\n     ^~ byte 5");
  });

  test("single-line values are shown expected/received; whitespace-only differences escaped", () => {
    expect(renderDiff("PONG", '"PONG"')).toBe('  expected: PONG\n  received: "PONG"');
    expect(renderDiff("a\r\n", "a\n")).toContain("expected: a\\r\\n");
  });

  test("multi-line values are shown as a line diff", () => {
    const d = renderDiff("1) a\n2) b", "1) a\n2) c");
    expect(d).toContain("- 2) b");
    expect(d).toContain("+ 2) c");
  });

  test("commands are shell-quoted so they can be re-run as printed", () => {
    expect(shellLine(["redis-cli", "-p", "4000", "SET", "k", "hello world", "it's"])).toBe(`redis-cli -p 4000 SET k 'hello world' 'it'\\''s'`);
  });

  test("the report holds message, diff, hint, transcript, output and the replay command", () => {
    const text = formatFailure({
      title: "redis/2 Respond to PING — PING replies PONG",
      error: new StageFailure({ message: "Unexpected reply to PING.", expected: "PONG", received: '"PONG"', hint: "Use a simple string." }),
      transcript: "$ redis-cli -p 4000 PING\n  \"PONG\"",
      programOutput: "listening",
      seed: "42",
      rerun: "bun test --stage-only=redis/2 --seed=42",
    });
    for (const part of ["✗ redis/2", "expected: PONG", "Hint: Use a simple string.", "$ redis-cli -p 4000 PING", "  | listening", "Seed 42. Replay this run: bun test --stage-only=redis/2 --seed=42"]) {
      expect(text).toContain(part);
    }
  });

  test("a command fed standard input is shown with it, so the $ line re-runs as printed (seen: redis/3 showed a bare redis-cli that opens a prompt)", () => {
    expect(withStdin("PING\nPING\n", "redis-cli -p 4000 --no-raw")).toBe("printf 'PING\\nPING\\n' | redis-cli -p 4000 --no-raw");
    expect(withStdin("", "openssl s_client")).toBe("openssl s_client < /dev/null");
    expect(withStdin(undefined, "redis-cli PING")).toBe("redis-cli PING");
    const bytes = new Uint8Array([...Buffer.from("it's 100% \\ done\r\n"), 0, 1, 0x7f, 0xff]);
    const printed = Bun.spawnSync(["sh", "-c", `printf '${printfFormat(bytes)}'`]).stdout;
    expect([...printed]).toEqual([...bytes]);
  });

  test("a very long line of output is shown by its start and end", () => {
    const t = new Transcript(false);
    t.command("nc -C 127.0.0.1 6379");
    t.output(`< ${"+PONG\\r\\n".repeat(10000)}`);
    const [cmd, shown] = t.tail().split("\n");
    expect(cmd).toBe("$ nc -C 127.0.0.1 6379");
    expect(shown!.length).toBeLessThan(MAX_OUTPUT_LINE + 100);
    expect(shown).toStartWith("  < +PONG\\r\\n+PONG");
    expect(shown).toContain(`characters, ${2 + 9 * 10000} in all) … `);
    expect(shown).toEndWith("+PONG\\r\\n");
  });
});
