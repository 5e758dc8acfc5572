import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selfTests } from "../../../harness/self-test.ts";
import { KEEP, RunRecord, renderPage, writeRunPage } from "./run-page.ts";

const about = { stage: "distributed/6", caseName: "three nodes, a test", seed: "7" };

/** A record of a small run: init, a request answered, one blamed, a message dropped by a partition. */
function small(): { record: RunRecord; blamedAt: number } {
  const record = new RunRecord();
  const init = record.request("c1", "n1", { src: "c1", dest: "n1", body: { type: "init", msg_id: 1, node_id: "n1", node_ids: ["n1", "n2"] } });
  record.message({ src: "c1", dest: "n1", body: { type: "init", msg_id: 1 } }, 0);
  record.replied(init, { src: "n1", dest: "c1", body: { type: "init_ok", in_reply_to: 1 } });
  record.message({ src: "n1", dest: "n2", body: { type: "append_entries", msg_id: 5, term: 1 } }, 3);
  record.note("partition: {n1} {n2}");
  record.message({ src: "n2", dest: "n1", body: { type: "request_vote", msg_id: 6, term: 2 } }, undefined);
  const blamedAt = performance.now();
  const read = record.request("c2", "n2", { src: "c2", dest: "n2", body: { type: "read", msg_id: 9, key: "<k>" } });
  record.message({ src: "c2", dest: "n2", body: { type: "read", msg_id: 9, key: "<k>" } }, 0);
  record.replied(read, { src: "n2", dest: "c2", body: { type: "read_ok", in_reply_to: 9, value: 1 } });
  record.message({ src: "n2", dest: "c2", body: { type: "read_ok", in_reply_to: 9, value: 1 } }, 0);
  record.request("c3", "n1", { src: "c3", dest: "n1", body: { type: "write", msg_id: 4, key: "k", value: 2 } });
  return { record, blamedAt };
}

selfTests("distributed workbench: the run's page", () => {
  test("renderPage: a column per client, node and service, an arrow per message, a dropped one marked, notes, the culprit in red in the diagram, the plot and the history", () => {
    const { record, blamedAt } = small();
    record.blame("a stale read", [{ client: "c2", node: "n2", start: blamedAt }]);
    const html = renderPage(record, { ...about, failure: "The history of key k is not linearizable" });
    for (const col of ["c1", "c2", "c3", "n1", "n2"]) expect(html).toContain(`font-weight="bold">${col}</text>`);
    expect(html.match(/marker-end="url\(#a\)"/g)?.length).toBe(5);
    expect(html).toContain("(dropped by the partition)");
    expect(html).toContain("✕");
    expect(html).toContain("partition: {n1} {n2}");
    // the partition also on the latency plot
    expect(html.match(/stroke-dasharray="4 3"/g)?.length).toBe(1);
    expect(html).toContain('<tr class="culprit">');
    expect(html.match(/class="culprit"/g)?.length).toBe(1);
    // the blamed request's arrows (request and reply) drawn red and thick
    expect(html.match(/stroke="#d62728" stroke-width="3"/g)?.length).toBe(2);
    expect(html).toContain("What broke the model:</b> a stale read");
    expect(html).toContain("1 without a reply");
    expect(html).toContain("The history of key k is not linearizable");
    // bodies are escaped
    expect(html).toContain("&quot;&lt;k&gt;&quot;");
    expect(html).not.toContain('"<k>"');
  });

  test("blameQuoted: the request whose reply the report quotes is the culprit, unless a checker named one already", () => {
    const { record } = small();
    record.blameQuoted('The id 3 was returned twice:\nn2 → c2 {"type":"read_ok","in_reply_to":9,"value":1}');
    expect(record.requests.filter((r) => r.culprit).map((r) => r.client)).toEqual(["c2"]);
    expect(record.blamed).toBe("the reply the report quotes");
    const other = small();
    other.record.blame("a stale read", []);
    other.record.blameQuoted('{"type":"read_ok","in_reply_to":9,"value":1}');
    expect(other.record.requests.some((r) => r.culprit)).toBe(false);
    const none = small().record;
    none.blameQuoted("No reply from n1 within 3000 ms.");
    expect(none.blamed).toBeUndefined();
  });

  test("renderPage: a passing case says so and marks nothing", () => {
    const html = renderPage(small().record, about);
    expect(html).toContain("The case passed.");
    expect(html).not.toContain('class="culprit"');
    expect(html).not.toContain("What broke the model");
  });

  test("renderPage: a long run draws the messages around the request that broke the model, and says so", () => {
    const record = new RunRecord();
    for (let i = 0; i < 6000; i++) record.message({ src: "n1", dest: "n2", body: { type: i === 4000 ? "marker" : "gossip", msg_id: i } }, 1);
    const r = record.request("c1", "n1", { src: "c1", dest: "n1", body: { type: "read", msg_id: 1, key: "k" } });
    record.blame("a lost write", [{ client: "c1", node: "n1", start: r.start + record.t0 }]);
    for (let i = 6000; i < 9000; i++) record.message({ src: "n2", dest: "n1", body: { type: "gossip", msg_id: i } }, 1);
    const html = renderPage(record, about);
    expect(html).toContain("2500 of 9000 messages drawn");
    expect(html).toContain("around the request that broke the model");
    expect(html).toContain("&quot;msg_id&quot;:6000");
    expect(html).not.toContain("&quot;msg_id&quot;:4000}");
  });

  test("writeRunPage: one file per call, named for the stage, seed, case and process; only the newest KEEP kept", () => {
    const dir = mkdtempSync(join(tmpdir(), "run-pages-"));
    try {
      const paths = Array.from({ length: KEEP + 5 }, () => writeRunPage(small().record, about, dir));
      expect(new Set(paths).size).toBe(KEEP + 5);
      expect(paths[0]).toMatch(new RegExp(`/distributed-6-seed7-three-nodes-a-test-${process.pid}-\\d+\\.html$`));
      const left = readdirSync(dir);
      expect(left.length).toBe(KEEP);
      expect(left).toContain(paths.at(-1)!.split("/").at(-1)!);
      expect(readFileSync(paths.at(-1)!, "utf8")).toStartWith("<!doctype html>");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
