/**
 * The reverse proxy (`--proxy <config>`): a request whose Host and path match
 * a route is forwarded to an upstream of the route's pool (RFC 9110 §7.6):
 * hop-by-hop fields removed, X-Forwarded-For / X-Forwarded-Host /
 * X-Forwarded-Proto, Forwarded (RFC 7239) and Via added; the upstream's
 * answer comes back the same way. 502 when the upstream refuses or fails,
 * 504 when it does not answer in time, 503 when no upstream is healthy, 429
 * past the per-client rate limit.
 */
import { appendFileSync } from "node:fs";
import type { Request } from "../request.ts";
import { response, text, type Response } from "../response.ts";
import { Balancer, type BalanceOptions } from "./balance.ts";
import { loadConfig, type ProxyConfig, type Route } from "./config.ts";
import { UpstreamError, UpstreamPool, type PoolOptions } from "./upstream.ts";

/** What this proxy calls itself in Via (RFC 9110 §7.6.3). */
const VIA = "1.1 syscraft";

/** RFC 9110 §7.6.1: fields that describe one connection, never forwarded (plus the ones Connection names). */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization"];

/** A route, or the metrics endpoint (answered by the proxy itself). */
export type Match = Route | { metrics: true };

/** [02/Dec/2026:04:50:40 +0000]: the Common Log Format's time, in UTC. */
function clfTime(d: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `[${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000]`;
}

/**
 * One access-log line: the Common Log Format (client, ident, user, [time],
 * "request line", status, body bytes) plus "upstream address" (or "-") and the time taken in ms.
 */
export function accessLogLine(client: string, at: Date, req: Request, status: number, bytes: number, upstream: string | undefined, ms: number, o: ProxyOptions = {}): string {
  const time = o.accessLogIsoTime ? `[${at.toISOString()}]` : clfTime(at);
  const target = o.proxyMistake === "access-log-path-only" ? req.target.split("?")[0]! : req.target;
  return `${client} - - ${time} "${req.method} ${target} ${req.version}" ${status} ${o.accessLogZeroBytes ? 0 : o.proxyMistake === "access-log-dash-for-zero" && bytes === 0 ? "-" : bytes} "${upstream ?? (o.accessLogNoDash ? "" : "-")}"${o.proxyMistake === "access-log-no-duration" ? "" : ` ${ms}`}\n`;
}

/**
 * Mistakes of routing and forwarding, one per fixture: the Host compared in its case, or with its port; the first
 * matching route taken rather than the longest prefix; on a tie `*` beating the exact host; the query dropped from the
 * forwarded target; an unrouted request sent to the first route's pool; X-Forwarded-For replaced rather than appended
 * to; the Host the client used passed on neither in X-Forwarded-Host nor in Forwarded; no Via in the forwarded request,
 * or in the forwarded response; a chunked request body not forwarded; the access log's request line without the query;
 * remove-header rules on the request, or on the response, ignored; metrics as plain text/plain, without their # TYPE line, or without 502s;
 * every upstream failure answered 504, or a timeout answered 502; one request past the rate limit let through; Retry-After
 * in milliseconds; the access-log line without its duration; metrics labelled with the pool name, not the address; the
 * forwarded request's Via replaced by the proxy's own entry instead of appended to; Retry-After rounded down; a health
 * check answered 3xx counted as down; an empty body logged as "-" bytes (Apache's habit), not 0; the target
 * percent-decoded before it is forwarded.
 */
export type ProxyMistake =
  | "host-case-sensitive"
  | "host-port-kept"
  | "first-prefix-wins"
  | "star-beats-host"
  | "query-dropped"
  | "unrouted-to-first-route"
  | "xff-replaced"
  | "no-forwarded-host"
  | "no-via-request"
  | "no-via-response"
  | "chunked-body-dropped"
  | "access-log-path-only"
  | "request-remove-ignored"
  | "response-remove-ignored"
  | "metrics-plain-content-type"
  | "metrics-no-type-line"
  | "metrics-skip-502"
  | "all-errors-504"
  | "timeout-as-502"
  | "rate-limit-off-by-one"
  | "retry-after-ms"
  | "access-log-no-duration"
  | "metrics-pool-label"
  | "via-replaced"
  | "retry-after-floor"
  | "health-3xx-down"
  | "access-log-dash-for-zero"
  | "target-decoded";

export interface ProxyOptions extends PoolOptions, BalanceOptions {
  /** Fixture switch: one mistake of routing and forwarding (see ProxyMistake). */
  proxyMistake?: ProxyMistake;
  /** Fixture switch: forward the fields that Connection names. */
  forwardNominatedHopFields?: boolean;
  /** Fixture switch: of the fixed hop-by-hop fields, remove only Connection and Keep-Alive. */
  fewHopFields?: boolean;
  /** Fixture switch: wait for the upstream however long it takes. */
  noUpstreamTimeout?: boolean;
  /** Fixture switch: no active health checks. */
  noHealthChecks?: boolean;
  /** Fixture switch: metrics count requests per upstream only, every one under code 200. */
  metricsIgnoreStatus?: boolean;
  /** Fixture switch: any answer to a health check means up, whatever its status. */
  healthAnyStatus?: boolean;
  /** Fixture switch: a health check whose connection fails (refused, no answer) counts as up. */
  healthErrorsUp?: boolean;
  /** Fixture switch: an address taken out stays out, even when its check passes again. */
  healthNoRecovery?: boolean;
  /** Fixture switch: when every address is down, pick among them all instead of answering 503. */
  allDownStillForward?: boolean;
  /** Fixture switch: one rate-limit budget shared by every client. */
  rateLimitShared?: boolean;
  /** Fixture switch: a request past the limit is forwarded anyway, then answered 429. */
  rateLimitForwardsOver?: boolean;
  /** Fixture switch: 429 without Retry-After. */
  rateLimitNoRetryAfter?: boolean;
  /** Fixture switch: requests never leave the window (a client past the limit stays limited). */
  rateLimitNoExpiry?: boolean;
  /** Fixture switch: no access-log line for a request answered 5xx. */
  accessLogSkipsErrors?: boolean;
  /** Fixture switch: the access log's time in ISO 8601, not the Common Log Format's. */
  accessLogIsoTime?: boolean;
  /** Fixture switch: the access log always says 0 body bytes. */
  accessLogZeroBytes?: boolean;
  /** Fixture switch: the access log's upstream is "" (not "-") when none was tried. */
  accessLogNoDash?: boolean;
  /** Fixture switch: set-header adds its field without removing the ones already there. */
  setHeaderAppends?: boolean;
  /** Fixture switch: header rules apply to requests only, never to responses. */
  responseRulesIgnored?: boolean;
  /** Fixture switch: the metrics path is answered only when no route matches it. */
  metricsAfterRoutes?: boolean;
}

/** The fields of `fields` minus the hop-by-hop ones (RFC 9110 §7.6.1). */
function endToEnd(fields: [string, string][], o: ProxyOptions): [string, string][] {
  const nominated = fields
    .filter(([n]) => n.toLowerCase() === "connection")
    .flatMap(([, v]) => v.split(","))
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  const drop = new Set([...(o.fewHopFields ? ["connection", "keep-alive"] : HOP_BY_HOP), ...(o.forwardNominatedHopFields ? [] : nominated)]);
  return fields.filter(([n]) => !drop.has(n.toLowerCase()));
}

function get(fields: [string, string][], name: string): string | undefined {
  const v = fields.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, x]) => x);
  return v.length ? v.join(", ") : undefined;
}

/** Appends `value` to the field `name` (a list, RFC 9110 §5.3), or adds it. */
function append(fields: [string, string][], name: string, value: string): [string, string][] {
  const prior = get(fields, name);
  return [...fields.filter(([n]) => n.toLowerCase() !== name.toLowerCase()), [name, prior === undefined ? value : `${prior}, ${value}`]];
}

export class Proxy {
  private readonly pool: UpstreamPool;
  private readonly balancers = new Map<string, Balancer>();
  private readonly down = new Set<string>();
  /** Per client address, when its recent requests came (rate limiting). */
  private readonly recent = new Map<string, number[]>();

  constructor(
    readonly config: ProxyConfig,
    private readonly o: ProxyOptions = {},
  ) {
    this.pool = new UpstreamPool(o);
    for (const p of config.pools.values()) this.balancers.set(p.name, new Balancer(p, o));
    if (config.health && !o.noHealthChecks) this.startHealthChecks(config.health.path, config.health.intervalMs);
  }

  static load(file: string, o: ProxyOptions = {}): Proxy {
    return new Proxy(loadConfig(file), o);
  }

  /** Requests per upstream address and status (the metrics endpoint). */
  private readonly counts = new Map<string, number>();

  /** The metrics endpoint, or the route for this request: the longest prefix among the routes for its Host (or "*"). */
  match(req: Request): Match | undefined {
    const metrics = this.config.metricsPath !== undefined && req.target.split("?")[0] === this.config.metricsPath;
    if (metrics && !this.o.metricsAfterRoutes) return { metrics: true };
    const mistake = this.o.proxyMistake;
    const sent = req.headers.get("host") ?? "";
    const host = (mistake === "host-case-sensitive" ? sent : sent.toLowerCase()).replace(mistake === "host-port-kept" ? /^$/ : /:\d+$/, "");
    const path = req.target.split("?")[0]!;
    let best: Route | undefined;
    for (const r of this.config.routes) {
      if (r.host !== "*" && r.host !== host) continue;
      if (!path.startsWith(r.prefix)) continue;
      if (mistake === "first-prefix-wins") return r;
      const tieWon = mistake === "star-beats-host" ? best?.host !== "*" && r.host === "*" : best?.host === "*" && r.host !== "*";
      if (!best || r.prefix.length > best.prefix.length || (r.prefix.length === best.prefix.length && tieWon)) best = r;
    }
    if (!best && mistake === "unrouted-to-first-route" && !metrics) return this.config.routes[0];
    return best ?? (metrics ? { metrics: true } : undefined);
  }

  /** RFC 6585 §4: past the limit, 429 with Retry-After (seconds until the oldest request in the window leaves it). */
  private limited(client: string): Response | undefined {
    const limit = this.config.rateLimit;
    if (!limit) return undefined;
    const now = Date.now();
    const key = this.o.rateLimitShared ? "*" : client;
    const times = (this.recent.get(key) ?? []).filter((at) => this.o.rateLimitNoExpiry || at > now - limit.windowMs);
    this.recent.set(key, times);
    if (times.length < limit.requests + (this.o.proxyMistake === "rate-limit-off-by-one" ? 1 : 0)) {
      times.push(now);
      return undefined;
    }
    const retry = Math.max(1, (this.o.proxyMistake === "retry-after-floor" ? Math.floor : Math.ceil)((times[0]! + limit.windowMs - now) / 1000));
    const retryAfter: [string, string][] = this.o.rateLimitNoRetryAfter ? [] : [["Retry-After", String(this.o.proxyMistake === "retry-after-ms" ? times[0]! + limit.windowMs - now : retry)]];
    return response(429, `Too Many Requests: at most ${limit.requests} in ${limit.windowMs / 1000} s\n`, [["Content-Type", "text/plain"], ...retryAfter]);
  }

  /** Prometheus text exposition format: one counter, labelled by upstream address and status code. */
  private metrics(): Response {
    const mistake = this.o.proxyMistake;
    const lines = ["# HELP proxy_requests_total Requests forwarded, by upstream address and response status.", ...(mistake === "metrics-no-type-line" ? [] : ["# TYPE proxy_requests_total counter"])];
    for (const [key, n] of [...this.counts.entries()].sort()) {
      const [upstream, code] = key.split(" ");
      if (mistake === "metrics-skip-502" && code === "502") continue;
      lines.push(`proxy_requests_total{upstream="${upstream}",code="${code}"} ${n}`);
    }
    return response(200, `${lines.join("\n")}\n`, [["Content-Type", mistake === "metrics-plain-content-type" ? "text/plain" : "text/plain; version=0.0.4"]]);
  }

  /** Header rules (set-header / remove-header) for one side, in order. */
  private rewrite(fields: [string, string][], side: "request" | "response"): [string, string][] {
    for (const r of this.config.rules) {
      if (r.side !== side || (side === "response" && this.o.responseRulesIgnored)) continue;
      if (r.value === undefined && this.o.proxyMistake === `${side}-remove-ignored`) continue;
      if (!(this.o.setHeaderAppends && r.value !== undefined)) fields = fields.filter(([n]) => n.toLowerCase() !== r.name.toLowerCase());
      if (r.value !== undefined) fields.push([r.name, r.value]);
    }
    return fields;
  }

  async forward(req: Request, match: Match, client: string): Promise<Response> {
    if ("metrics" in match) return this.metrics();
    const at = new Date();
    const result = await this.forwardRoute(req, match, client);
    const upstream = result.upstream;
    if (upstream) {
      const key = `${this.o.proxyMistake === "metrics-pool-label" ? match.pool : upstream} ${this.o.metricsIgnoreStatus ? 200 : result.res.status}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    if (this.config.accessLog && !(this.o.accessLogSkipsErrors && result.res.status >= 500)) {
      const bytes = req.method === "HEAD" ? 0 : result.res.body.length;
      appendFileSync(this.config.accessLog, accessLogLine(client, at, req, result.res.status, bytes, upstream, Date.now() - at.getTime(), this.o));
    }
    return result.res;
  }

  private async forwardRoute(req: Request, route: Route, client: string, unlimited = false): Promise<{ res: Response; upstream?: string }> {
    const limited = unlimited ? undefined : this.limited(client);
    if (limited) {
      if (this.o.rateLimitForwardsOver) await this.forwardRoute(req, route, client, true);
      return { res: limited };
    }
    const balancer = this.balancers.get(route.pool)!;
    const policy = balancer.pool.policy;
    const key = policy.kind === "hash" ? (policy.key === "ip" ? client : (req.headers.get(policy.key.header) ?? "")) : "";
    const address = balancer.pick((a) => !this.down.has(a), key) ?? (this.o.allDownStillForward ? balancer.pick(() => true, key) : undefined);
    if (!address) return { res: text(503, `No healthy upstream for ${route.pool}\n`) };
    const mistake = this.o.proxyMistake;
    const host = req.headers.get("host") ?? "";
    let fields = endToEnd(req.rawHeaders, this.o).filter(([n]) => !/^(content-length|expect)$/i.test(n));
    fields = mistake === "xff-replaced" ? [...fields.filter(([n]) => !/^x-forwarded-for$/i.test(n)), ["X-Forwarded-For", client]] : append(fields, "X-Forwarded-For", client);
    const hostFields: [string, string][] = mistake === "no-forwarded-host" ? [] : [["X-Forwarded-Host", host]];
    fields = [...fields.filter(([n]) => !/^x-forwarded-(host|proto)$/i.test(n)), ...hostFields, ["X-Forwarded-Proto", "http"]];
    fields = append(fields, "Forwarded", mistake === "no-forwarded-host" ? `for=${client};proto=http` : `for=${client};host="${host.replace(/["\\]/g, "")}";proto=http`);
    if (mistake === "via-replaced") fields = [...fields.filter(([n]) => n.toLowerCase() !== "via"), ["Via", VIA]];
    else if (mistake !== "no-via-request") fields = append(fields, "Via", VIA);
    fields = this.rewrite(fields, "request");
    const body = mistake === "chunked-body-dropped" && req.headers.has("transfer-encoding") ? Buffer.alloc(0) : req.body;
    const hasBody = body.length > 0 || req.headers.has("content-length") || req.headers.has("transfer-encoding");
    if (hasBody) fields.push(["Content-Length", String(body.length)]);
    const target = mistake === "query-dropped" ? req.target.split("?")[0]! : mistake === "target-decoded" ? decodeURIComponent(req.target) : req.target;
    const bytes = (close: boolean) => {
      const lines = [`${req.method} ${target} HTTP/1.1`, ...fields.map(([n, v]) => `${n}: ${v}`), ...(close ? ["Connection: close"] : [])];
      return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]);
    };
    const timeout = this.o.noUpstreamTimeout ? 24 * 3600 * 1000 : this.config.timeoutMs;
    balancer.begin(address);
    try {
      const res = await this.pool.send(address, bytes, req.method === "HEAD", timeout);
      // HEAD: keep the upstream's Content-Length (the length a GET would have); otherwise the body is re-framed here.
      let headers = endToEnd(res.headers, this.o).filter(([n]) => req.method === "HEAD" || n.toLowerCase() !== "content-length");
      headers = this.rewrite(mistake === "no-via-response" ? headers : append(headers, "Via", VIA), "response");
      console.log(`proxy ${req.method} ${req.target} -> ${address} ${res.status}`);
      return { res: { status: res.status, reason: res.reason, headers, body: res.body }, upstream: address };
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      console.log(`proxy ${req.method} ${req.target} -> ${address}: ${e.message}`);
      // RFC 9110 §15.6.5: no answer in time is 504; §15.6.3: a refused or broken exchange is 502.
      const timedOut = mistake === "all-errors-504" || (e.kind === "timeout" && mistake !== "timeout-as-502");
      if (timedOut) return { res: text(504, `Gateway Timeout: ${e.message}\n`), upstream: address };
      return { res: text(502, `Bad Gateway: ${e.message}\n`), upstream: address };
    } finally {
      balancer.end(address);
    }
  }

  private startHealthChecks(path: string, intervalMs: number): void {
    const addresses = [...new Set([...this.config.pools.values()].flatMap((p) => p.addresses))];
    const check = async (address: string) => {
      const request = () => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`, "latin1");
      let ok = false;
      try {
        const res = await this.pool.probe(address, request, Math.max(intervalMs, 500));
        ok = this.o.healthAnyStatus || (res.status >= 200 && res.status < (this.o.proxyMistake === "health-3xx-down" ? 300 : 400));
      } catch {
        ok = this.o.healthErrorsUp === true;
      }
      if (ok === this.down.has(address)) console.log(`health ${address}: ${ok ? "up" : "down"}`);
      if (ok && !(this.o.healthNoRecovery && this.down.has(address))) this.down.delete(address);
      else this.down.add(address);
    };
    const tick = () => {
      for (const a of addresses) void check(a);
    };
    tick();
    setInterval(tick, intervalMs);
  }
}
