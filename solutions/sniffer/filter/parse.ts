/**
 * The pcap-filter(7) language, the part this sniffer compiles: protocol
 * names (arp, ip, icmp, tcp, udp), host/net/port/portrange with src/dst and a
 * tcp/udp qualifier, less/greater, relations between arithmetic expressions
 * over packet bytes (`tcp[13] & 2 != 0`, `len > 100`), and not/and/or with
 * parentheses. `and` and `or` have the same precedence and group left to
 * right; `not` binds tighter.
 */
export type Dir = "src" | "dst" | "either";

/** The protocols whose bytes `proto[offset:size]` reads: offsets count from the start of that protocol's header. */
export type Layer = "ether" | "ip" | "tcp" | "udp" | "icmp";
const LAYERS = new Set<string>(["ether", "ip", "tcp", "udp", "icmp"]);

export type BinaryOp = "+" | "-" | "*" | "/" | "&" | "|" | "<<" | ">>";
export type RelOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** An arithmetic expression: unsigned 32-bit, as classic BPF computes. */
export type Arith =
  | { kind: "num"; n: number }
  | { kind: "len" }
  | { kind: "load"; layer: Layer; at: Arith; size: 1 | 2 | 4 }
  | { kind: "bin"; op: BinaryOp; left: Arith; right: Arith };

/**
 * How tightly each arithmetic operator binds (higher first), as in
 * libpcap's grammar: `*` `/`, then `+` `-`, then `<<` `>>`, then `&`, then
 * `|`; all group left to right, and every relation's operator binds least.
 */
export const PRECEDENCE: Record<BinaryOp, number> = { "*": 5, "/": 5, "+": 4, "-": 4, "<<": 3, ">>": 3, "&": 2, "|": 1 };

/** The names pcap-filter(7) gives to offsets and values inside headers. */
export const NAMED: Record<string, number> = {
  icmptype: 0, icmpcode: 1,
  "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5, "icmp-echo": 8,
  "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
  "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
  tcpflags: 13,
  "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08, "tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
};

export type Filter =
  | { kind: "proto"; name: "arp" | "ip" | "icmp" | "tcp" | "udp" }
  | { kind: "host"; dir: Dir; addr: number }
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
 * operators they stand apart.
 */
function tokens(text: string): string[] {
  return text.match(/&&|\|\||!=|==|<=|>=|<<|>>|[()[\]:!&|+*\/<>=-]|[A-Za-z0-9_.]+(?:[-/][A-Za-z0-9_.]+)*|\S/g) ?? [];
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

  /** Operators binding at least as tightly as `min`, left to right (precedence climbing). */
  const arith = (min: number): Arith => {
    let left = operand();
    for (;;) {
      const op = peek() as BinaryOp;
      const level = PRECEDENCE[op];
      if (level === undefined || level < min) return left;
      i++;
      const right = arith(level + 1);
      if (op === "/" && right.kind === "num" && right.n === 0) throw new FilterSyntaxError("division by zero");
      left = { kind: "bin", op, left, right };
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
    return t === "len" || (LAYERS.has(t) && toks[i + 1] === "[") || number(t) !== undefined || NAMED[t] !== undefined;
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
      case "host":
        if (proto) throw new FilterSyntaxError(`'${proto} host' is not supported`);
        return { kind: "host", dir, addr: ipv4(next("an address")) };
      case "net": {
        const [a, len = "32"] = next("a network").split("/");
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
    if (t === "arp" || t === "ip" || t === "icmp" || t === "tcp" || t === "udp") return { kind: "proto", name: t };
    if (t === "less" || t === "greater") return { kind: "len", op: t === "less" ? "le" : "ge", n: port(next("a length")) };
    throw new FilterSyntaxError(`syntax error: unknown primitive '${t}'`);
  };

  const f = expr();
  if (i < toks.length) throw new FilterSyntaxError(`syntax error near '${toks[i]}'`);
  return f;
}
