/**
 * The pcap-filter(7) language, the part this sniffer compiles: protocol
 * names (arp, ip, ip6, icmp, icmp6, tcp, udp), `ip proto N`, `ip6 proto N`,
 * host/net (IPv4 and IPv6) and port/portrange with src/dst and a tcp/udp
 * qualifier, less/greater, relations between arithmetic expressions over
 * packet bytes (`tcp[13] & 2 != 0`, `len % 7 = 1`, `- len + 200 = 100`), and
 * not/and/or with parentheses. `and` and `or` have the same precedence and
 * group left to right; `not` binds tighter.
 */
export type Dir = "src" | "dst" | "either";

/** The protocols whose bytes `proto[offset:size]` reads: offsets count from the start of that protocol's header. */
export type Layer = "ether" | "ip" | "tcp" | "udp" | "icmp";
const LAYERS = new Set<string>(["ether", "ip", "tcp", "udp", "icmp"]);

export type BinaryOp = "+" | "-" | "*" | "/" | "&" | "|" | "<<" | ">>" | "%" | "^";
export type RelOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** An arithmetic expression: unsigned 32-bit, as classic BPF computes. */
export type Arith =
  | { kind: "num"; n: number }
  | { kind: "len" }
  | { kind: "load"; layer: Layer; at: Arith; size: 1 | 2 | 4 }
  | { kind: "bin"; op: BinaryOp; left: Arith; right: Arith }
  | { kind: "neg"; of: Arith };

/**
 * How tightly each arithmetic operator binds (higher first), as in
 * libpcap's grammar: `*` `/`, then `+` `-`, then `<<` `>>`, then `&`, then
 * `|`; all group left to right, and every relation's operator binds least.
 */
export const PRECEDENCE: Partial<Record<BinaryOp, number>> = { "*": 5, "/": 5, "+": 4, "-": 4, "<<": 3, ">>": 3, "&": 2, "|": 1 };

/**
 * `%` and `^` have no precedence in libpcap's grammar, so its parser (yacc)
 * always shifts them: each takes the operand just before it as its left side
 * and the whole rest of the arithmetic expression as its right side
 * (`len + 1 % 7 + 1` is `len + (1 % (7 + 1))`). A fixture moves one of them
 * into PRECEDENCE instead.
 */
export const TAKES_THE_REST = new Set<BinaryOp>(["%", "^"]);

/** The names pcap-filter(7) gives to offsets and values inside headers. */
export const NAMED: Record<string, number> = {
  icmptype: 0, icmpcode: 1,
  "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5, "icmp-echo": 8,
  "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
  "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
  tcpflags: 13,
  "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08, "tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
};

/** Which IP versions a protocol test looks at: `ip proto`, `ip6 proto`, or both (tcp, udp). */
export type Family = "ip" | "ip6" | "both";

export type Filter =
  | { kind: "proto"; name: "arp" | "ip" | "ip6" }
  | { kind: "ipproto"; family: Family; n: number }
  | { kind: "host"; dir: Dir; addr: number }
  /** An IPv6 host (mask all ones) or network: four 32-bit words of address and mask. */
  | { kind: "host6"; dir: Dir; addr: number[]; mask: number[] }
  | { kind: "net"; dir: Dir; addr: number; mask: number }
  | { kind: "port"; dir: Dir; lo: number; hi: number; proto?: "tcp" | "udp" }
  | { kind: "len"; op: "le" | "ge"; n: number }
  | { kind: "rel"; op: RelOp; left: Arith; right: Arith }
  | { kind: "not"; of: Filter }
  | { kind: "and" | "or"; left: Filter; right: Filter };

export class FilterSyntaxError extends Error {}

function ipv4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) throw new FilterSyntaxError(`'${text}' is not an IPv4 address`);
  return parts.reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
}

/** An IPv6 address as four 32-bit words (hex groups, "::" for a run of zeros). */
function ipv6(text: string): number[] {
  const bad = () => new FilterSyntaxError(`'${text}' is not an IPv6 address`);
  const halves = text.split("::");
  if (halves.length > 2) throw bad();
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const [head, tail] = [groups(halves[0]!), halves.length === 2 ? groups(halves[1]!) : []];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 ? fill < 1 : fill !== 0) || [...head, ...tail].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw bad();
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...tail].map((g) => parseInt(g, 16));
  return [0, 1, 2, 3].map((w) => ((all[2 * w]! << 16) | all[2 * w + 1]!) >>> 0);
}

/** The four words of a prefix-length mask. */
function mask6(bits: number): number[] {
  return [0, 1, 2, 3].map((w) => {
    const n = Math.max(0, Math.min(32, bits - 32 * w));
    return n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  });
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new FilterSyntaxError(`illegal port number ${text}`);
  return n;
}

/** A number as pcap-filter(7) writes them: decimal, 0x hexadecimal, or octal with a leading 0. */
function number(text: string): number | undefined {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^0[0-7]*$/.test(text) ? parseInt(text, 8) : /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
  if (n !== undefined && n > 0xffffffff) throw new FilterSyntaxError(`number ${text} does not fit in 32 bits`);
  return n;
}

/**
 * Splits an expression into words, parentheses and operators. A word may hold
 * `-` and `/` between its characters (tcp-syn, 1000-2000, 10.0.0.0/8); as
 * operators they stand apart. Two colons or more make an IPv6 address
 * (2001:db8::1, ::1, 2001:db8::/32); one is the `:` of `proto[offset:size]`.
 */
function tokens(text: string): string[] {
  return text.match(/(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:\/\d+)?|&&|\|\||!=|==|<=|>=|<<|>>|[()[\]:!&|+*\/<>=%^-]|[A-Za-z0-9_.]+(?:[-/][A-Za-z0-9_.]+)*|\S/g) ?? [];
}

const RELOPS: Record<string, RelOp> = { "=": "=", "==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

export function parseFilter(text: string): Filter {
  const toks = tokens(text);
  let i = 0;
  const peek = () => toks[i];
  const next = (what: string) => {
    const t = toks[i++];
    if (t === undefined) throw new FilterSyntaxError(`syntax error: ${what} expected at the end`);
    return t;
  };

  const expr = (): Filter => {
    let left = unary();
    for (;;) {
      const op = peek();
      if (op === "and" || op === "&&") {
        i++;
        left = { kind: "and", left, right: unary() };
      } else if (op === "or" || op === "||") {
        i++;
        left = { kind: "or", left, right: unary() };
      } else return left;
    }
  };

  /** An operand: a number, a name for one, len, proto[offset] or proto[offset:size], or a parenthesised expression. */
  const operand = (): Arith => {
    const t = next("a number, len or proto[offset]");
    if (t === "(") {
      const inner = arith(0);
      if (next("')'") !== ")") throw new FilterSyntaxError("syntax error: ')' expected");
      return inner;
    }
    if (t === "len") return { kind: "len" };
    if (LAYERS.has(t) && peek() === "[") {
      i++;
      const at = arith(0);
      let size = 1;
      if (peek() === ":") {
        i++;
        size = number(next("a size")) ?? NaN;
        if (size !== 1 && size !== 2 && size !== 4) throw new FilterSyntaxError("data size must be 1, 2, or 4");
      }
      if (next("']'") !== "]") throw new FilterSyntaxError("syntax error: ']' expected");
      return { kind: "load", layer: t as Layer, at, size: size as 1 | 2 | 4 };
    }
    const n = number(t) ?? NAMED[t];
    if (n === undefined) throw new FilterSyntaxError(`syntax error: '${t}' is not a number, len or proto[offset]`);
    return { kind: "num", n };
  };

  /** Unary minus (binding tighter than every binary operator), then an operand, then `%` or `^` with the rest of the expression. */
  const unaryArith = (): Arith => {
    if (peek() === "-") {
      i++;
      return { kind: "neg", of: unaryArith() };
    }
    const left = operand();
    const op = peek() as BinaryOp;
    if (!TAKES_THE_REST.has(op)) return left;
    i++;
    return divides(op, left, arith(0));
  };

  const divides = (op: BinaryOp, left: Arith, right: Arith): Arith => {
    if ((op === "/" || op === "%") && right.kind === "num" && right.n === 0) throw new FilterSyntaxError(op === "/" ? "division by zero" : "modulus by zero");
    return { kind: "bin", op, left, right };
  };

  /** Operators binding at least as tightly as `min`, left to right (precedence climbing). */
  const arith = (min: number): Arith => {
    let left = unaryArith();
    for (;;) {
      const op = peek() as BinaryOp;
      const level = PRECEDENCE[op];
      if (level === undefined || level < min) return left;
      i++;
      left = divides(op, left, arith(level + 1));
    }
  };

  /** `<arith> <relop> <arith>`. */
  const relation = (): Filter => {
    const left = arith(0);
    const op = RELOPS[peek() ?? ""];
    if (!op) throw new FilterSyntaxError(`syntax error: a comparison (=, !=, <, <=, >, >=) expected${peek() ? ` before '${peek()}'` : " at the end"}`);
    i++;
    return { kind: "rel", op, left, right: arith(0) };
  };

  /** Whether the tokens at i start an arithmetic expression rather than a primitive. */
  const arithAhead = (): boolean => {
    const t = peek() ?? "";
    return t === "len" || t === "-" || (LAYERS.has(t) && toks[i + 1] === "[") || number(t) !== undefined || NAMED[t] !== undefined;
  };

  const unary = (): Filter => {
    const t = peek();
    if (t === "not" || t === "!") {
      i++;
      return { kind: "not", of: unary() };
    }
    if (t === "(") {
      // "(" opens either an arithmetic operand of a relation, "(tcp[12] & 0xf0) >> 2 > 20", or a group of primitives.
      const at = i;
      try {
        return relation();
      } catch (e) {
        if (!(e instanceof FilterSyntaxError)) throw e;
        i = at;
      }
      i++;
      const inner = expr();
      if (next("')'") !== ")") throw new FilterSyntaxError("syntax error: ')' expected");
      return inner;
    }
    if (arithAhead()) return relation();
    return primitive();
  };

  const primitive = (): Filter => {
    let t = next("a primitive");
    // "ip proto N", "ip6 proto N"; "ip6" before host/net (IPv6 addresses only; an IPv6 address alone says as much).
    if ((t === "ip" || t === "ip6") && peek() === "proto") {
      i++;
      const n = number(next("a protocol number"));
      if (n === undefined || n > 255) throw new FilterSyntaxError("illegal protocol number");
      return { kind: "ipproto", family: t, n };
    }
    let family6 = false;
    if (t === "ip6" && ["src", "dst", "host", "net"].includes(peek() ?? "")) {
      family6 = true;
      t = next("host or net");
    }
    let proto: "tcp" | "udp" | undefined;
    if ((t === "tcp" || t === "udp") && ["src", "dst", "port", "portrange"].includes(peek() ?? "")) {
      proto = t;
      t = next("port");
    }
    let dir: Dir = "either";
    if (t === "src" || t === "dst") {
      dir = t;
      t = next("host, net, port or portrange");
    }
    switch (t) {
      case "host": {
        if (proto) throw new FilterSyntaxError(`'${proto} host' is not supported`);
        const a = next("an address");
        if (family6 || a.includes(":")) return { kind: "host6", dir, addr: ipv6(a), mask: mask6(128) };
        return { kind: "host", dir, addr: ipv4(a) };
      }
      case "net": {
        const word = next("a network");
        if (family6 || word.includes(":")) {
          const [a, len = "128"] = word.split("/");
          const bits = Number(len);
          if (!(/^\d+$/.test(len) && bits <= 128)) throw new FilterSyntaxError("mask length must be <= 128");
          const [addr, mask] = [ipv6(a!), mask6(bits)];
          if (addr.some((w, k) => (w & mask[k]!) >>> 0 !== w)) throw new FilterSyntaxError(`non-network bits set in "${word}"`);
          return { kind: "host6", dir, addr, mask };
        }
        const [a, len = "32"] = word.split("/");
        const bits = Number(len);
        if (!(bits >= 0 && bits <= 32)) throw new FilterSyntaxError(`mask length must be <= 32`);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const addr = ipv4(a!);
        if ((addr & mask) >>> 0 !== addr) throw new FilterSyntaxError(`non-network bits set in "${a}/${len}"`);
        return { kind: "net", dir, addr, mask };
      }
      case "port": {
        const p = port(next("a port"));
        return { kind: "port", dir, lo: p, hi: p, proto };
      }
      case "portrange": {
        const m = /^(\d+)-(\d+)$/.exec(next("a port range"));
        if (!m) throw new FilterSyntaxError("syntax error in portrange");
        const [a, b] = [port(m[1]!), port(m[2]!)];
        return { kind: "port", dir, lo: Math.min(a, b), hi: Math.max(a, b), proto };
      }
    }
    if (dir !== "either") throw new FilterSyntaxError(`syntax error: host, net, port or portrange expected after ${dir}`);
    if (family6) throw new FilterSyntaxError("syntax error: host or net expected after ip6");
    if (t === "arp" || t === "ip" || t === "ip6") return { kind: "proto", name: t };
    // icmp is IPv4's protocol 1, icmp6 IPv6's 58; tcp and udp are either's.
    if (t === "icmp") return { kind: "ipproto", family: "ip", n: 1 };
    if (t === "icmp6") return { kind: "ipproto", family: "ip6", n: 58 };
    if (t === "tcp" || t === "udp") return { kind: "ipproto", family: "both", n: t === "tcp" ? 6 : 17 };
    if (t === "less" || t === "greater") return { kind: "len", op: t === "less" ? "le" : "ge", n: port(next("a length")) };
    throw new FilterSyntaxError(`syntax error: unknown primitive '${t}'`);
  };

  const f = expr();
  if (i < toks.length) throw new FilterSyntaxError(`syntax error near '${toks[i]}'`);
  return f;
}
