// Differential check: sends the same raw requests to a real redis-server and
// to this server and compares the reply bytes exactly.
//
//   bun solutions/redis/compare.ts            # starts both servers itself
//   bun solutions/redis/compare.ts -v         # also print every case
//
// Needs redis-server (7.0.x) on PATH. Each case runs on a fresh connection
// after FLUSHALL; replies are collected until the server closes the
// connection or stays quiet for a moment. This is a development tool, not
// part of the server.

import { spawn, type Subprocess } from "bun";

type Segment = string | Uint8Array | { delay: number };
interface Case {
  name: string;
  send: Segment[];
  /** Sort the elements of array replies (KEYS order is unspecified). */
  sortArrays?: boolean;
}

const enc = (s: string) => Buffer.from(s, "latin1");

/** A multibulk request. */
function cmd(...args: Array<string | Uint8Array>): Buffer {
  const parts: Buffer[] = [enc(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? enc(a) : Buffer.from(a);
    parts.push(enc(`$${b.length}\r\n`), b, enc("\r\n"));
  }
  return Buffer.concat(parts);
}

/** One case per command line: each a separate request on one connection. */
function seq(name: string, ...cmds: Array<Array<string | Uint8Array>>): Case {
  return { name, send: cmds.map((c) => cmd(...c)) };
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const cases: Case[] = [
  // --- PING / ECHO / unknown commands / arity
  seq("ping", ["PING"], ["ping", "hello"], ["PiNg", ""], ["ping", "a", "b"]),
  seq("echo", ["ECHO", "hi"], ["echo", ""], ["echo"], ["echo", "a", "b"], ["ECHO", ALL_BYTES]),
  seq("unknown", ["foo"], ["foo", "a", "b"], ["FoO", "x y"], ["", "x"]),
  seq("unknown long args", ["nosuch", "a".repeat(200)], ["nosuch", ...Array.from({ length: 60 }, (_, i) => `arg${i}`)]),
  seq("unknown odd bytes", ["bad\r\nname", "x\ny"], ["nul\0name", "a\0b"], ["n".repeat(300)]),
  seq("arity", ["get"], ["GET", "a", "b"], ["set", "a"], ["SET"], ["del"], ["exists"], ["incr"], ["incrby", "a"], ["decrby", "a", "1", "2"], ["append", "a"], ["strlen"], ["keys"], ["type"], ["ttl"], ["pttl", "a", "b"], ["expire", "a"], ["pexpire"], ["persist"], ["dbsize", "x"], ["select"]),
  seq("containers", ["config"], ["CONFIG"], ["config", "foo"], ["config", "get"], ["Config", "GET"], ["command", "foo"], ["command", "count", "x"], ["CONFIG", "nope", "x"]),
  // --- SET
  seq("set basic", ["set", "k", "v"], ["get", "k"], ["set", "k", "w"], ["get", "k"], ["get", "missing"]),
  seq("set options", ["set", "k", "v", "ex", "0"], ["set", "k", "v", "ex", "-1"], ["set", "k", "v", "ex", "abc"], ["set", "k", "v", "EX", "10", "ex", "20"], ["ttl", "k"], ["set", "k", "v", "nx", "xx"], ["set", "k", "v", "xx", "nx"], ["set", "k", "v", "ex", "10", "px", "100"], ["set", "k", "v", "keepttl", "ex", "10"], ["set", "k", "v", "ex", "10", "keepttl"], ["set", "k", "v", "ex"], ["set", "k", "v", "foo"], ["set", "k", "v", "ex", "9223372036854775807"], ["set", "k", "v", "px", "9223372036854775807"], ["set", "k", "v", "ex", "9223372036854775"], ["set", "k", "v", "ex", "1.5"], ["set", "k", "v", "ex", " 10"], ["set", "k", "v", "px", "+10"], ["set", "k", "v", "exat", "0"], ["set", "k", "v", "pxat", "-5"], ["set", "k", "v", "EXAT", "9999999999"], ["ttl", "k"], ["set", "k", "v", "ex", "10", "nx", "nx"], ["set", "k", "v", "get", "get"], ["set", "k", "v", "px"], ["set", "k", "v", "xx", "foo", "ex", "x"]),
  seq("set nx/xx", ["set", "k", "v", "xx"], ["get", "k"], ["set", "k", "v", "nx"], ["set", "k", "w", "nx"], ["get", "k"], ["set", "k", "x", "xx"], ["get", "k"], ["set", "k", "y", "NX", "GET"], ["set", "k2", "y", "nx", "get"], ["get", "k2"], ["set", "k3", "z", "xx", "get"], ["exists", "k3"], ["set", "k", "z", "get"], ["set", "new", "z", "get"]),
  seq("set ttl handling", ["set", "k", "v", "ex", "100"], ["ttl", "k"], ["set", "k", "v2"], ["ttl", "k"], ["set", "k", "v", "ex", "100"], ["set", "k", "v3", "keepttl"], ["ttl", "k"], ["get", "k"], ["set", "k", "v", "exat", "1"], ["get", "k"], ["exists", "k"], ["set", "k", "v", "pxat", "1"], ["ttl", "k"]),
  { name: "set px expires", send: [cmd("set", "k", "v", "px", "100"), cmd("get", "k"), { delay: 250 }, cmd("get", "k"), cmd("ttl", "k"), cmd("exists", "k")] },
  { name: "active expiry", send: [cmd("set", "a", "1", "px", "50"), cmd("set", "b", "2", "px", "50"), cmd("set", "c", "3"), cmd("dbsize"), { delay: 600 }, cmd("dbsize"), cmd("keys", "*")] },
  seq("binary", ["set", ALL_BYTES, ALL_BYTES], ["get", ALL_BYTES], ["strlen", ALL_BYTES], ["keys", "*"], ["exists", ALL_BYTES], ["set", "crlf\r\nkey", "v\r\nw"], ["get", "crlf\r\nkey"], ["set", "", "empty"], ["get", ""]),
  { name: "big value", send: [cmd("set", "big", Buffer.alloc(1_000_000, 0x61)), cmd("strlen", "big"), cmd("append", "big", "b"), cmd("strlen", "big"), cmd("get", "big")] },
  // --- INCR family
  seq("incr", ["incr", "n"], ["incr", "n"], ["get", "n"], ["decr", "n"], ["decr", "x"], ["incrby", "n", "10"], ["decrby", "n", "3"], ["incrby", "n", "-100"], ["get", "n"]),
  seq("incr limits", ["set", "n", "9223372036854775806"], ["incr", "n"], ["incr", "n"], ["set", "n", "-9223372036854775808"], ["decr", "n"], ["decrby", "n", "-9223372036854775808"], ["decrby", "x", "-9223372036854775808"], ["incrby", "x", "9223372036854775807"], ["incrby", "x", "1"], ["decrby", "y", "9223372036854775807"], ["decrby", "y", "1"], ["decrby", "y", "1"], ["incrby", "z", "-9223372036854775808"], ["decr", "z"]),
  seq("incr strict ints", ...["+1", " 1", "1 ", "01", "-0", "", "1.0", "0x10", "1e3", "9223372036854775808", "-9223372036854775809", "abc", "0", "-1", "00"].flatMap((v) => [["set", "s", v], ["incr", "s"]])),
  seq("incrby args", ["incrby", "a", "abc"], ["incrby", "a", " 5"], ["incrby", "a", "+5"], ["incrby", "a", "-0"], ["incrby", "a", "9223372036854775808"], ["decrby", "a", "05"], ["incrby", "a", ""]),
  seq("incr keeps ttl", ["set", "n", "5", "ex", "100"], ["incr", "n"], ["ttl", "n"], ["append", "n", "0"], ["ttl", "n"], ["get", "n"], ["incr", "n"], ["decrby", "n", "1000"]),
  // --- APPEND / STRLEN
  seq("append", ["append", "a", "foo"], ["append", "a", "bar"], ["get", "a"], ["strlen", "a"], ["strlen", "missing"], ["append", "a", ""], ["set", "i", "12"], ["append", "i", "3"], ["incr", "i"], ["append", "e", ""], ["exists", "e"], ["get", "e"]),
  // --- DEL / EXISTS / TYPE / DBSIZE / FLUSH
  seq("del exists", ["set", "a", "1"], ["set", "b", "2"], ["exists", "a"], ["exists", "a", "a"], ["exists", "a", "b", "c", "a"], ["del", "a", "a"], ["del", "a"], ["del", "b", "c"], ["exists", "b"], ["dbsize"]),
  seq("type", ["type", "x"], ["set", "x", "1"], ["type", "x"], ["TYPE", "x"]),
  seq("flush", ["set", "a", "1"], ["dbsize"], ["flushdb"], ["dbsize"], ["set", "a", "1"], ["flushall"], ["dbsize"], ["flushall", "async"], ["flushall", "SYNC"], ["flushall", "foo"], ["flushall", "sync", "async"], ["flushdb", "ASYNC"], ["flushdb", "x"], ["flushdb", "sync", "sync"]),
  seq("select", ["select", "0"], ["select", "16"], ["select", "-1"], ["select", "99999999999"], ["select", "abc"], ["select", "00"], ["select", "2147483648"], ["select", "-2147483649"], ["SELECT", "0"]),
  // --- TTL / EXPIRE / PERSIST
  seq("ttl", ["ttl", "nokey"], ["pttl", "nokey"], ["set", "k", "v"], ["ttl", "k"], ["pttl", "k"], ["expire", "k", "100"], ["ttl", "k"], ["expire", "k", "3"], ["ttl", "k"]),
  seq("expire options", ["set", "k", "v"], ["expire", "k", "10", "nx", "xx"], ["expire", "k", "10", "gt", "lt"], ["expire", "k", "10", "nx", "gt"], ["expire", "k", "10", "nx", "lt"], ["expire", "k", "10", "foo"], ["expire", "k", "abc"], ["expire", "k", "abc", "foo"], ["expire", "k", "10", "xx"], ["expire", "k", "10", "gt"], ["expire", "k", "10", "lt"], ["ttl", "k"], ["persist", "k"], ["expire", "k", "10", "nx"], ["expire", "k", "20", "nx"], ["expire", "k", "5", "gt"], ["expire", "k", "50", "GT"], ["expire", "k", "100", "lt"], ["expire", "k", "5", "Lt"], ["ttl", "k"], ["expire", "k", "7", "xx"], ["ttl", "k"], ["expire", "k", "7", "xx", "xx"], ["expire", "k", "7", "gt", "xx"], ["ttl", "k"]),
  seq("expire limits", ["set", "k", "v"], ["expire", "k", "9223372036854775807"], ["expire", "k", "-9223372036854775808"], ["expire", "k", "9223372036854775"], ["pexpire", "k", "9223372036854775807"], ["pexpire", "k", "-9223372036854775808"], ["expire", "k", "9223372036854"], ["ttl", "k"], ["expire", "nokey", "10"], ["expire", "k", "-1"], ["exists", "k"], ["set", "k", "v"], ["pexpire", "k", "0"], ["exists", "k"], ["set", "k", "v"], ["expire", "k", "0", "xx"], ["exists", "k"], ["expire", "k", " 1"], ["pexpire", "k", "1.5"]),
  seq("persist", ["persist", "nokey"], ["set", "k", "v"], ["persist", "k"], ["expire", "k", "100"], ["persist", "k"], ["ttl", "k"], ["persist", "k"]),
  { name: "pexpire expires", send: [cmd("set", "k", "v"), cmd("pexpire", "k", "100"), cmd("exists", "k"), { delay: 250 }, cmd("exists", "k"), cmd("ttl", "k"), cmd("persist", "k")] },
  // --- KEYS
  {
    name: "keys globs",
    sortArrays: true,
    send: [
      ...["hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a?b", "[x]", "\\", "x", "foo\nbar", "Hello", "h]llo", "h-llo", "h^llo", "abc", "b", "^"].map((k) => cmd("set", k, "1")),
      ...["*", "**", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "h[a-]llo", "a\\*b", "a\\?b", "\\[x\\]", "[x]", "[", "[abc", "[^", "x*y*", "h*o*", "\\\\", "\\", "*llo", "h*", "?", "??", "???", "[]", "[]]", "h[\\]]llo", "h[^]llo", "h[\\-]llo", "foo?bar", "foo*", "*\\", "[a-c]", "[^a-c]", "h[a-z-]llo", "HELLO", "*[Hh]ello*", "[z-a]", "[\\", "h\\", "a*", "*b", "*?*", "[^^]"].map((p) => cmd("keys", p)),
    ],
  },
  seq("keys empty key", ["set", "", "v"], ["keys", "*"], ["keys", "**"], ["keys", ""], ["keys", "?"], ["set", "a", "1"], ["keys", ""]),
  // --- CONFIG GET (only settings both servers have with equal values)
  seq("config get", ["config", "get", "dbfilename"], ["config", "get", "DBFILENAME"], ["config", "get", "dbfilename", "DBFILENAME"], ["config", "get", "DbFileName", "dbfilename"], ["config", "get", "nonexistent"], ["config", "get", "dbfilenam?"], ["config", "get", "DBFILE*"], ["config", "get", "[d]bfilename"], ["config", "get", "maxmemory"], ["config", "get", "maxmemory-policy"], ["config", "get", "appendonly"], ["config", "get", "save"], ["config", "get", "appendfilename"]),
  // --- QUIT
  { name: "quit", send: [cmd("ping"), cmd("quit"), cmd("ping")] },
  { name: "quit args", send: [enc("QUIT now please\r\nPING\r\n")] },
  // --- inline commands
  { name: "inline", send: [enc("PING\r\nping hello\r\nECHO   spaced    out  \r\n\r\n   \r\nSET k \"a b\"\r\nGET k\nGET   k\r\n")] },
  { name: "inline quotes", send: [enc(`echo "a\\x41\\n\\t\\r\\b\\a\\q\\\\\\"z"\r\necho 'b\\'c\\n"'\r\necho a"b c"\r\necho ""\r\necho ''\r\necho "\\x4"\r\necho "\\xzz"\r\necho x\x0by\r\necho \x0bz\r\nset "" ''\r\nget ""\r\n`)] },
  { name: "inline unbalanced", send: [enc('PING\r\necho "abc\r\nPING\r\n')] },
  { name: "inline quote then char", send: [enc('echo "a"b\r\n')] },
  { name: "inline single quote then char", send: [enc("echo 'a'b\r\n")] },
  { name: "inline unknown", send: [enc("foo bar 'baz qux'\r\n")] },
  { name: "inline nul", send: [enc("echo a\0b c\r\n")] },
  { name: "nul in count line", send: [enc("PING\r\n*1\0\r\n$4\r\nPING\r\n")] },
  { name: "nul in bulk count line", send: [enc("*1\r\n$4\0\r\nPING\r\n")] },
  { name: "nul then too big inline", send: [enc("PING\r\necho a\0" + "b".repeat(70_000) + "\r\n")] },
  // --- protocol
  { name: "empty multibulk", send: [enc("*0\r\n*-1\r\n*-5\r\nPING\r\n")] },
  { name: "invalid multibulk", send: [enc("PING\r\n*abc\r\nPING\r\n")] },
  { name: "multibulk too long", send: [enc("*3000000000\r\n")] },
  { name: "multibulk +", send: [enc("*+1\r\n$4\r\nPING\r\n")] },
  { name: "bulk negative", send: [enc("*1\r\n$-1\r\n")] },
  { name: "bulk invalid", send: [enc("*1\r\n$abc\r\n")] },
  { name: "bulk too big", send: [enc("*1\r\n$536870913\r\n")] },
  { name: "expected dollar", send: [enc("*1\r\nx3\r\nfoo\r\n")] },
  { name: "expected dollar cr", send: [enc("*2\r\n$4\r\nECHO\r\n\r\n")] },
  { name: "bulk trailer not checked", send: [enc("*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n")] },
  { name: "bulk empty arg", send: [enc("*2\r\n$4\r\necho\r\n$0\r\n\r\n")] },
  { name: "error after good", send: [enc("*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$x\r\nPING\r\n")] },
  { name: "dollar inline", send: [enc("$3\r\nfoo\r\n")] },
  { name: "too big inline", send: [enc("a".repeat(70_000))] },
  { name: "too big mbulk count", send: [enc("*" + "1".repeat(70_000))] },
  { name: "too big bulk count", send: [enc("*1\r\n$" + "1".repeat(70_000))] },
  { name: "cr only waits", send: [enc("*1\r"), { delay: 50 }, enc("\n$4\r\nPING\r\n")] },
  {
    name: "split at every byte",
    send: [...cmd("SET", "key", "val\r\nue"), ...cmd("GET", "key"), ...enc("PING\r\n"), ...cmd("ECHO", "")].flatMap((b) => [Uint8Array.of(b), { delay: 1 }]),
  },
  { name: "split in two", send: [enc("*2\r\n$4\r\nECHO\r\n$5\r\nhel"), { delay: 30 }, enc("lo\r\n*1\r\n$4\r\nPI"), { delay: 30 }, enc("NG\r\n")] },
  { name: "pipeline 10000", send: [Buffer.concat(Array.from({ length: 10_000 }, (_, i) => cmd("SET", `k${i}`, `v${i}`)))] },
  { name: "pipeline 10000 inline", send: [enc("PING\r\n".repeat(10_000)), enc("DBSIZE\r\n")] },
];

// ---------------------------------------------------------------------------

function sortArrayReplies(bytes: Buffer): string {
  // Minimal RESP2 reply reader; arrays of bulks are sorted, everything else kept.
  let pos = 0;
  const line = () => {
    const end = bytes.indexOf("\r\n", pos);
    const s = bytes.subarray(pos, end).toString("latin1");
    pos = end + 2;
    return s;
  };
  const read = (): string => {
    const head = line();
    if (head[0] === "$" && head !== "$-1") {
      const n = Number(head.slice(1));
      const body = bytes.subarray(pos, pos + n).toString("latin1");
      pos += n + 2;
      return `${head}\r\n${body}\r\n`;
    }
    if (head[0] === "*" && head !== "*-1") {
      const items = Array.from({ length: Number(head.slice(1)) }, read).sort();
      return `${head}\r\n${items.join("")}`;
    }
    return `${head}\r\n`;
  };
  let out = "";
  while (pos < bytes.length) out += read();
  return out;
}

async function runCase(port: number, c: Case): Promise<Buffer> {
  await rawExchange(port, [cmd("FLUSHALL")], 10);
  return rawExchange(port, c.send, 80);
}

/** Sends the segments on a new connection; returns everything received. */
function rawExchange(port: number, segments: Segment[], idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    let finished = false;
    let sending = true;
    const finish = (sock?: { end(): void }) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      sock?.end();
      resolve(Buffer.concat(chunks));
    };
    const arm = (sock: { end(): void }) => {
      if (timer) clearTimeout(timer);
      if (!sending) timer = setTimeout(() => finish(sock), idleMs);
    };
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        async open(sock) {
          sock.setNoDelay(true);
          for (const seg of segments) {
            if (typeof seg === "object" && "delay" in seg) await Bun.sleep(seg.delay);
            else {
              const bytes = typeof seg === "string" ? enc(seg) : seg;
              let off = 0;
              while (off < bytes.length) {
                const n = sock.write(bytes.subarray(off));
                if (n < 0) return finish();
                off += n;
                if (off < bytes.length) await Bun.sleep(1);
              }
            }
          }
          sending = false;
          arm(sock);
        },
        data(sock, d) {
          chunks.push(Buffer.from(d));
          arm(sock);
        },
        close() {
          finish();
        },
        error(_s, e) {
          reject(e);
        },
      },
    }).catch(reject);
  });
}

function show(b: Buffer | string, max = 400): string {
  const s = typeof b === "string" ? b : b.toString("latin1");
  const esc = JSON.stringify(s.length > max ? s.slice(0, max) + `…(${s.length} bytes)` : s);
  return esc;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await rawExchange(port, [cmd("PING")], 20);
      if (r.length > 0) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`nothing listening on ${port}`);
}

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

async function main() {
  const verbose = process.argv.includes("-v");
  const only = process.argv.find((a, i) => i > 1 && !a.startsWith("-"));
  const realPort = await freePort();
  const oursPort = await freePort();
  const procs: Subprocess[] = [
    spawn(["redis-server", "--port", String(realPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], { stdout: "ignore", stderr: "inherit" }),
    spawn(["bun", `${import.meta.dir}/main.ts`, "--port", String(oursPort)], { stdout: "ignore", stderr: "inherit" }),
  ];
  let failed = 0;
  let ran = 0;
  try {
    await waitForPort(realPort);
    await waitForPort(oursPort);
    for (const c of cases) {
      if (only && !c.name.includes(only)) continue;
      ran++;
      const [real, ours] = await Promise.all([runCase(realPort, c), runCase(oursPort, c)]);
      const a = c.sortArrays ? sortArrayReplies(real) : real.toString("latin1");
      const b = c.sortArrays ? sortArrayReplies(ours) : ours.toString("latin1");
      if (a === b) {
        if (verbose) console.log(`ok   ${c.name}: ${show(a, 200)}`);
      } else {
        failed++;
        console.log(`DIFF ${c.name}\n  redis: ${show(a)}\n  ours:  ${show(b)}`);
      }
    }
  } finally {
    for (const p of procs) p.kill();
  }
  console.log(`${ran - failed}/${ran} cases identical`);
  process.exit(failed ? 1 : 0);
}

await main();
