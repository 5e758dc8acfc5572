/**
 * The pcap-filter(7) language, the part this sniffer compiles: protocol
 * names (arp, ip, icmp, tcp, udp), host/net/port/portrange with src/dst and a
 * tcp/udp qualifier, less/greater, and not/and/or with parentheses. `and` and
 * `or` have the same precedence and group left to right; `not` binds tighter.
 */
export type Dir = "src" | "dst" | "either";

export type Filter =
  | { kind: "proto"; name: "arp" | "ip" | "icmp" | "tcp" | "udp" }
  | { kind: "host"; dir: Dir; addr: number }
  | { kind: "net"; dir: Dir; addr: number; mask: number }
  | { kind: "port"; dir: Dir; lo: number; hi: number; proto?: "tcp" | "udp" }
  | { kind: "len"; op: "le" | "ge"; n: number }
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

/** Splits an expression into words, parentheses and operators. */
function tokens(text: string): string[] {
  return text.match(/\(|\)|&&|\|\||!|[^\s()!&|]+/g) ?? [];
}

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

  const unary = (): Filter => {
    const t = peek();
    if (t === "not" || t === "!") {
      i++;
      return { kind: "not", of: unary() };
    }
    if (t === "(") {
      i++;
      const inner = expr();
      if (next("')'") !== ")") throw new FilterSyntaxError("syntax error: ')' expected");
      return inner;
    }
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
