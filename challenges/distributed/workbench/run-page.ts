/**
 * What a distributed case did, as one HTML page: a message diagram (a column per
 * client, node and service, time going down, an arrow per message, as Maelstrom's
 * messages.svg), the latency of every client request over time with the throughput
 * under it, and the history of client requests, the one that broke the model marked.
 *
 * The Network records as the case runs (RunRecord: an array push per message); the page
 * is written only when the case fails (the report then names it), or for every case
 * with SYSCRAFT_RUN_PAGE=1. Pages go to .syscraft/distributed/, named for the stage,
 * seed, case, process id and a counter (so runs of `bun test --parallel`, or of the
 * fixture checks' pool, never write the same file); the newest KEEP are kept.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "../../../harness/paths.ts";
import type { Message } from "./message.ts";

/** Pages kept in the folder: older ones are removed when a page is written. */
export const KEEP = 30;
/** Messages a record keeps (the count beyond is kept, not the messages). */
const MAX_MESSAGES = 20_000;
/** Messages a diagram draws: a longer run shows the window around the failure. */
const DIAGRAM_MAX = 2_500;
/** Client requests the history table lists. */
const TABLE_MAX = 1_500;

export interface Sent {
  from: string;
  to: string;
  type: string;
  /** The body as JSON, cut at 300 characters. */
  body: string;
  /** ms since the record began. */
  at: number;
  /** When it reached `to` (ms), or undefined if a partition dropped it. */
  arrive?: number;
}

export interface Request {
  client: string;
  node: string;
  msgId: number;
  body: string;
  start: number;
  end?: number;
  /** The reply's body as JSON, or what happened instead. */
  reply?: string;
  outcome: "ok" | "error" | "no reply";
  culprit?: boolean;
}

export class RunRecord {
  readonly t0 = performance.now();
  readonly messages: Sent[] = [];
  /** Messages not kept beyond MAX_MESSAGES. */
  unkept = 0;
  readonly notes: { at: number; text: string }[] = [];
  readonly requests: Request[] = [];
  /** What broke the model, in words (set by the history checkers just before they fail the case). */
  blamed?: string;

  now(): number {
    return performance.now() - this.t0;
  }

  /** A message routed now, arriving `delay` ms later (undefined: dropped). */
  message(m: Message, delay: number | undefined): void {
    if (this.messages.length >= MAX_MESSAGES) return void this.unkept++;
    const at = this.now();
    const body = JSON.stringify(m.body);
    this.messages.push({ from: m.src, to: m.dest, type: m.body.type, body: body.length > 300 ? `${body.slice(0, 300)}…` : body, at, ...(delay === undefined ? {} : { arrive: at + delay }) });
  }

  note(text: string): void {
    this.notes.push({ at: this.now(), text });
  }

  request(client: string, node: string, m: Message): Request {
    const r: Request = { client, node, msgId: m.body.msg_id!, body: JSON.stringify(m.body), start: this.now(), outcome: "no reply" };
    this.requests.push(r);
    return r;
  }

  replied(r: Request, reply: Message): void {
    r.end = this.now();
    r.reply = JSON.stringify(reply.body);
    r.outcome = reply.body.type === "error" ? "error" : "ok";
  }

  /**
   * Marks as having broken the model the requests of `ops` (each by its client and the
   * performance.now() it was sent at, as the histories keep them), and says why.
   */
  blame(why: string, ops: { client: string; node: string; start: number }[]): void {
    this.blamed = why;
    for (const op of ops) {
      const since = op.start - this.t0;
      const r = this.requests.find((x) => x.client === op.client && x.node === op.node && x.start >= since - 0.5);
      if (r) r.culprit = true;
    }
  }

  /**
   * With no culprit named yet, marks the requests whose reply the failure report quotes
   * (a reply shown whole, as the checkers show the one that broke the rule): at most 5.
   */
  blameQuoted(report: string): void {
    if (this.blamed !== undefined) return;
    const quoted = this.requests.filter((r) => r.reply !== undefined && r.outcome !== "no reply" && report.includes(r.reply));
    if (quoted.length === 0 || quoted.length > 5) return;
    for (const r of quoted) r.culprit = true;
    this.blamed = `the ${quoted.length === 1 ? "reply" : "replies"} the report quotes`;
  }
}

let written = 0;

/** Writes the page of `record` into `dir` (default .syscraft/distributed/), removes all but the newest KEEP, and returns its path. */
export function writeRunPage(record: RunRecord, about: { stage: string; caseName: string; seed: string; failure?: string; rerun?: string }, dir = join(STATE_DIR, "distributed")): string {
  mkdirSync(dir, { recursive: true });
  const slug = about.caseName.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40).replace(/-+$/, "");
  const path = join(dir, `${about.stage.replaceAll("/", "-")}-seed${about.seed.replace(/[^A-Za-z0-9]/g, "")}-${slug}-${process.pid}-${++written}.html`);
  writeFileSync(path, renderPage(record, about));
  prune(dir);
  return path;
}

/** Removes every page of `dir` but the newest KEEP (another process may remove the same ones at once). */
function prune(dir: string): void {
  const pages: { path: string; at: number }[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".html")) continue;
    try {
      pages.push({ path: join(dir, name), at: statSync(join(dir, name)).mtimeMs });
    } catch {
      // removed by another run meanwhile
    }
  }
  pages.sort((a, b) => b.at - a.at);
  for (const p of pages.slice(KEEP)) rmSync(p.path, { force: true });
}

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** A colour per message type, stable across pages. */
function colour(type: string): string {
  if (type === "error") return "#d62728";
  let h = 0;
  for (let i = 0; i < type.length; i++) h = (h * 31 + type.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 65% 38%)`;
}

/** Columns in order: clients, nodes, services. */
function columns(messages: Sent[], requests: Request[]): string[] {
  const ids = new Set<string>();
  for (const m of messages) ids.add(m.from).add(m.to);
  for (const r of requests) ids.add(r.client).add(r.node);
  const rank = (id: string) => (/^c\d+$/.test(id) ? 0 : /^n\d+$/.test(id) ? 1 : 2);
  const num = (id: string) => Number(/\d+$/.exec(id)?.[0] ?? 0);
  return [...ids].sort((a, b) => rank(a) - rank(b) || num(a) - num(b) || a.localeCompare(b));
}

/** The messages the diagram draws: all, or DIAGRAM_MAX around the failure (the culprit request, else the end). */
function window(record: RunRecord): { shown: Sent[]; from: number; to: number } {
  const all = record.messages;
  if (all.length <= DIAGRAM_MAX) return { shown: all, from: 0, to: Math.max(record.now(), ...all.map((m) => m.arrive ?? m.at)) };
  const culprit = record.requests.find((r) => r.culprit);
  const centre = culprit ? all.findIndex((m) => m.at >= culprit.start) : all.length - 1;
  const first = Math.max(0, Math.min(all.length - DIAGRAM_MAX, (centre < 0 ? all.length : centre) - DIAGRAM_MAX / 2));
  const shown = all.slice(first, first + DIAGRAM_MAX);
  return { shown, from: shown[0]!.at, to: Math.max(...shown.map((m) => m.arrive ?? m.at)) };
}

function diagram(record: RunRecord): string {
  const { shown, from, to } = window(record);
  const cols = columns(shown, record.requests.filter((r) => r.start >= from && r.start <= to));
  const x = new Map(cols.map((c, i) => [c, 60 + i * 110]));
  const span = Math.max(1, to - from);
  // px per ms: readable for short runs, bounded for long ones
  const k = Math.max(0.5, Math.min(6, 14000 / span));
  const y = (t: number) => 40 + (t - from) * k;
  const width = 60 + cols.length * 110;
  const height = y(to) + 40;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${Math.ceil(height)}" font-family="monospace" font-size="11">`];
  out.push('<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>');
  for (const c of cols) out.push(`<text x="${x.get(c)}" y="20" text-anchor="middle" font-weight="bold">${esc(c)}</text><line x1="${x.get(c)}" y1="28" x2="${x.get(c)}" y2="${height - 10}" stroke="#bbb"/>`);
  for (let t = Math.ceil(from / 100) * 100; t <= to; t += span > 4000 ? 1000 : 100) out.push(`<text x="4" y="${y(t) + 4}" fill="#888">${Math.round(t)}</text><line x1="40" x2="${width}" y1="${y(t)}" y2="${y(t)}" stroke="#f2f2f2"/>`);
  for (const n of record.notes.filter((n) => n.at >= from && n.at <= to)) out.push(`<line x1="40" x2="${width}" y1="${y(n.at)}" y2="${y(n.at)}" stroke="#9467bd" stroke-dasharray="6 3"/><text x="44" y="${y(n.at) - 3}" fill="#9467bd">${esc(n.text)}</text>`);
  const culprits = new Set(record.requests.filter((r) => r.culprit).flatMap((r) => [`${r.client}>${r.node}:${r.msgId}`, `${r.node}>${r.client}:${r.msgId}`]));
  for (const m of shown) {
    const x1 = x.get(m.from)!;
    const x2 = x.get(m.to)!;
    const y1 = y(m.at);
    const dropped = m.arrive === undefined;
    const y2 = dropped ? y1 + 8 : y(m.arrive!);
    const tx = dropped ? (x1 + x2) / 2 : x2;
    const ref = /"(?:msg_id|in_reply_to)":(\d+)/.exec(m.body)?.[1];
    const bad = ref !== undefined && (culprits.has(`${m.from}>${m.to}:${ref}`));
    const stroke = bad ? "#d62728" : colour(m.type);
    out.push(
      `<g><title>${esc(`${m.from} → ${m.to} at ${m.at.toFixed(1)} ms${dropped ? " (dropped by the partition)" : `, arrived ${m.arrive!.toFixed(1)} ms`}\n${m.body}`)}</title>` +
        `<line x1="${x1}" y1="${y1.toFixed(1)}" x2="${tx.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" stroke-width="${bad ? 3 : 1}"${dropped ? ' stroke-dasharray="3 2"' : ""} marker-end="url(#a)"/>` +
        (dropped ? `<text x="${tx + 2}" y="${y2 + 4}" fill="#d62728">✕</text>` : "") +
        (shown.length <= 400 || bad ? `<text x="${(x1 + tx) / 2}" y="${((y1 + y2) / 2 - 2).toFixed(1)}" text-anchor="middle" fill="${stroke}">${esc(m.type)}</text>` : "") +
        "</g>",
    );
  }
  out.push("</svg>");
  const note = shown.length < record.messages.length ? `<p>${shown.length} of ${record.messages.length} messages drawn: ${(from / 1000).toFixed(2)}–${(to / 1000).toFixed(2)} s, around ${record.requests.some((r) => r.culprit) ? "the request that broke the model" : "the end of the run"}.</p>` : "";
  return note + out.join("\n");
}

/** Latency of each client request over time (a dot each; no reply: a cross at the top), and completed requests per bucket under it. */
function plots(record: RunRecord): string {
  const reqs = record.requests.filter((r) => !/"type":"init"/.test(r.body));
  if (reqs.length === 0) return "<p>No client requests after init.</p>";
  const end = Math.max(1, record.now());
  const lat = reqs.filter((r) => r.end !== undefined).map((r) => r.end! - r.start);
  const max = Math.max(1, ...lat);
  const W = 900;
  const H = 220;
  const px = (t: number) => 50 + (t / end) * (W - 60);
  const py = (l: number) => H - 20 - (l / max) * (H - 40);
  const dots = reqs.map((r) => {
    const fill = r.culprit ? "#d62728" : r.outcome === "ok" ? "#2ca02c" : r.outcome === "error" ? "#ff7f0e" : "#7f7f7f";
    const title = `<title>${esc(`${r.client} → ${r.node} at ${r.start.toFixed(0)} ms: ${r.body}\n${r.reply ?? "no reply"}${r.end !== undefined ? ` (${(r.end - r.start).toFixed(1)} ms)` : ""}`)}</title>`;
    return r.end === undefined
      ? `<g>${title}<text x="${px(r.start)}" y="16" fill="${fill}" text-anchor="middle">×</text></g>`
      : `<circle cx="${px(r.start).toFixed(1)}" cy="${py(r.end - r.start).toFixed(1)}" r="${r.culprit ? 5 : 2.5}" fill="${fill}">${title}</circle>`;
  });
  // partitions, heals and crashes as vertical lines, so the latencies around them can be read
  const marks = record.notes.map((n) => `<line x1="${px(n.at).toFixed(1)}" x2="${px(n.at).toFixed(1)}" y1="10" y2="${H - 20}" stroke="#9467bd" stroke-dasharray="4 3"><title>${esc(`${n.text} at ${n.at.toFixed(0)} ms`)}</title></line>`).join("");
  const sorted = [...lat].sort((a, b) => a - b);
  const pct = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
  const bucket = Math.max(50, Math.ceil(end / 60 / 50) * 50);
  const counts = new Array<number>(Math.ceil(end / bucket)).fill(0);
  for (const r of reqs) if (r.end !== undefined) counts[Math.min(counts.length - 1, Math.floor(r.end / bucket))]!++;
  const top = Math.max(1, ...counts);
  const bars = counts.map((c, i) => `<rect x="${px(i * bucket).toFixed(1)}" width="${Math.max(1, px(bucket) - px(0) - 1).toFixed(1)}" y="${(120 - (c / top) * 100).toFixed(1)}" height="${((c / top) * 100).toFixed(1)}" fill="#1f77b4"><title>${c} replies in ${i * bucket}–${(i + 1) * bucket} ms</title></rect>`);
  return (
    `<p>${reqs.length} requests; latency of those answered: median ${pct(50).toFixed(1)} ms, 90th percentile ${pct(90).toFixed(1)} ms, 99th ${pct(99).toFixed(1)} ms, max ${max.toFixed(1)} ms; ${reqs.filter((r) => r.end === undefined).length} without a reply (× at the top). Green: ok, orange: an error reply, red: the request that broke the model; dashed purple lines: partitions, heals and crashes.</p>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="monospace" font-size="11"><line x1="50" y1="${H - 20}" x2="${W}" y2="${H - 20}" stroke="#888"/><line x1="50" y1="10" x2="50" y2="${H - 20}" stroke="#888"/><text x="2" y="${py(max) + 4}">${max.toFixed(0)} ms</text><text x="30" y="${H - 22}">0</text><text x="${W - 60}" y="${H - 5}">${(end / 1000).toFixed(1)} s</text>${marks}${dots.join("")}</svg>` +
    `<p>Throughput: replies per ${bucket} ms (highest ${top}, ${((reqs.filter((r) => r.end !== undefined).length / end) * 1000).toFixed(0)} per second over the run).</p>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="130" font-family="monospace" font-size="11"><line x1="50" y1="120" x2="${W}" y2="120" stroke="#888"/>${bars.join("")}</svg>`
  );
}

function table(record: RunRecord): string {
  const rows = record.requests.slice(0, TABLE_MAX).map((r) => {
    const cls = r.culprit ? ' class="culprit"' : "";
    return `<tr${cls}><td>${r.start.toFixed(1)}</td><td>${r.end === undefined ? "–" : r.end.toFixed(1)}</td><td>${esc(r.client)} → ${esc(r.node)}</td><td>${esc(r.body)}</td><td>${esc(r.reply ?? "no reply")}</td></tr>`;
  });
  const more = record.requests.length > TABLE_MAX ? `<p>… and ${record.requests.length - TABLE_MAX} more requests.</p>` : "";
  return `<table><tr><th>sent (ms)</th><th>answered (ms)</th><th>client → node</th><th>request</th><th>reply</th></tr>${rows.join("")}</table>${more}`;
}

export function renderPage(record: RunRecord, about: { stage: string; caseName: string; seed: string; failure?: string; rerun?: string }): string {
  const between = record.messages.filter((m) => /^n\d+$/.test(m.from) && /^n\d+$/.test(m.to));
  const culprit = record.requests.find((r) => r.culprit);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(about.stage)} seed ${esc(about.seed)}: ${esc(about.caseName)}</title>
<style>body{font-family:sans-serif;margin:1.5em;max-width:none}pre{white-space:pre-wrap;background:#fbf3f3;padding:.6em}table{border-collapse:collapse;font-family:monospace;font-size:12px}td,th{border:1px solid #ddd;padding:2px 5px;vertical-align:top;text-align:left}tr.culprit{background:#fdd}.diagram{overflow:auto;max-height:90vh;border:1px solid #ddd}</style></head><body>
<h1>${esc(about.stage)} — ${esc(about.caseName)}</h1>
<p>Seed ${esc(about.seed)}${about.rerun ? `; replay its inputs: <code>${esc(about.rerun)}</code>` : ""}. ${record.messages.length + record.unkept} messages (${between.length} between nodes, ${between.filter((m) => m.arrive === undefined).length} of them dropped by partitions), ${record.requests.length} client requests, ${(record.now() / 1000).toFixed(2)} s.</p>
${about.failure ? `<h2>Failure</h2><pre>${esc(about.failure)}</pre>` : "<p>The case passed.</p>"}
${record.blamed ? `<p><b>What broke the model:</b> ${esc(record.blamed)}${culprit ? ` (marked in red below: ${esc(culprit.client)} → ${esc(culprit.node)} at ${culprit.start.toFixed(1)} ms, ${esc(culprit.body)})` : ""}</p>` : ""}
<h2>Messages</h2><p>A column per client, node and service; time goes down (ms since the case's network started); an arrow per message from when it was sent to when it arrived, dashed with ✕ where a partition dropped it; purple lines are partitions, heals and crashes. Hover an arrow for its body.</p>
<div class="diagram">${diagram(record)}</div>
<h2>Latency and throughput</h2>${plots(record)}
<h2>History</h2>${table(record)}
</body></html>
`;
}
