/**
 * The proxy's configuration file (`--proxy <file>`), one directive a line,
 * `#` starts a comment:
 *
 *   upstream <name> <policy> <host:port> …   policy: round-robin | least-conn | hash ip | hash header:<Name>
 *   route <host or *> <path prefix> <upstream name>
 *   timeout <ms>                             an upstream's answer must be complete within this (else 504)
 *   health <path> <interval ms>              active health checks of every upstream address
 *   rate-limit <requests> <seconds>          per client address, over a sliding window
 *   access-log <file>                        one line per proxied request (see accessLogLine in proxy.ts)
 *   set-header request|response <Name> <value …>
 *   remove-header request|response <Name>
 *   metrics <path>                           Prometheus text counters, answered by the proxy itself
 */
import { readFileSync } from "node:fs";

export type Policy = { kind: "round-robin" } | { kind: "least-conn" } | { kind: "hash"; key: "ip" | { header: string } };

export interface Pool {
  name: string;
  policy: Policy;
  addresses: string[];
}

export interface Route {
  /** Lowercased host without port, or "*" for any. */
  host: string;
  prefix: string;
  pool: string;
}

export interface ProxyConfig {
  pools: Map<string, Pool>;
  routes: Route[];
  timeoutMs: number;
  health?: { path: string; intervalMs: number };
  rateLimit?: { requests: number; windowMs: number };
  accessLog?: string;
  /** Header rules, applied in order: set (value) or remove (value undefined). */
  rules: { side: "request" | "response"; name: string; value?: string }[];
  metricsPath?: string;
}

function policy(words: string[], line: string): Policy {
  const [kind, key] = words;
  if (kind === "round-robin") return { kind };
  if (kind === "least-conn") return { kind };
  if (kind === "hash" && key === "ip") return { kind, key: "ip" };
  if (kind === "hash" && key?.startsWith("header:")) return { kind, key: { header: key.slice("header:".length).toLowerCase() } };
  throw new Error(`proxy config: bad policy in ${JSON.stringify(line)}`);
}

export function parseConfig(text: string): ProxyConfig {
  const c: ProxyConfig = { pools: new Map(), routes: [], timeoutMs: 10000, rules: [] };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const words = line.split(/\s+/);
    const [directive, ...rest] = words;
    switch (directive) {
      case "upstream": {
        const [name, kind] = rest;
        if (!name || !kind) throw new Error(`proxy config: ${JSON.stringify(line)}`);
        const hashed = kind === "hash";
        const p = policy(rest.slice(1, hashed ? 3 : 2), line);
        const addresses = rest.slice(hashed ? 3 : 2);
        if (addresses.length === 0) throw new Error(`proxy config: upstream ${name} has no addresses`);
        c.pools.set(name, { name, policy: p, addresses });
        break;
      }
      case "route": {
        const [host, prefix, pool] = rest;
        if (!host || !prefix || !pool) throw new Error(`proxy config: ${JSON.stringify(line)}`);
        c.routes.push({ host: host.toLowerCase(), prefix, pool });
        break;
      }
      case "timeout":
        c.timeoutMs = Number(rest[0]);
        break;
      case "health":
        c.health = { path: rest[0] ?? "/", intervalMs: Number(rest[1] ?? 1000) };
        break;
      case "rate-limit":
        c.rateLimit = { requests: Number(rest[0]), windowMs: Number(rest[1]) * 1000 };
        break;
      case "access-log":
        c.accessLog = rest[0];
        break;
      case "set-header":
      case "remove-header": {
        const [side, name] = rest;
        if ((side !== "request" && side !== "response") || !name) throw new Error(`proxy config: ${JSON.stringify(line)}`);
        c.rules.push({ side, name, value: directive === "set-header" ? rest.slice(2).join(" ") : undefined });
        break;
      }
      case "metrics":
        c.metricsPath = rest[0];
        break;
      default:
        throw new Error(`proxy config: unknown directive ${JSON.stringify(directive)}`);
    }
  }
  for (const r of c.routes) if (!c.pools.has(r.pool)) throw new Error(`proxy config: route to unknown upstream ${r.pool}`);
  return c;
}

export function loadConfig(file: string): ProxyConfig {
  return parseConfig(readFileSync(file, "utf8"));
}
