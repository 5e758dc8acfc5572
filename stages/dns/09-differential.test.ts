import { join } from "node:path";
import { dig, type DigResult } from "../../challenges/dns/clients/dns.ts";
import { differentialZone, digest, VARIANTS, type DiffQuery } from "../../challenges/dns/clients/dns-diff.ts";
import { startWithZone, ZONE_FILE } from "../../challenges/dns/clients/dns-zone.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import { stage } from "../../harness/stage/define.ts";

/** How many dig runs are in flight at once (per server pair): enough to finish in time, few enough for a shared 2-core machine. */
const PARALLEL = 4;
/** Disagreements shown in full in a report (the count says how many there were in all). */
const SHOWN = 3;
/** After this many disagreements no new query is sent: a program that answers nothing would otherwise wait out every dig. */
const ENOUGH = 20;

interface Disagreement {
  query: DiffQuery;
  variant: string;
  ours: DigResult;
  theirs: DigResult;
}

export default stage(import.meta, [
  {
    name: "a seeded zone and 60 queries, each sent four ways: the answers agree with NSD's",
    timeout: 180,
    async run(t) {
      const { zone, queries } = differentialZone(t.rand);
      const program = await startWithZone(t, zone, [], { tcp: true });
      // NSD, through the same wrapper --real runs, reading the same zone file.
      const nsd = await t.startReal({ args: ["--port", "{port}", "--zone", join(t.dir, ZONE_FILE)] });
      const ours = dig(t, program);
      const theirs = dig(t, nsd);
      const jobs = queries.flatMap((query) => VARIANTS.map((variant) => ({ query, variant })));
      const disagreements: Disagreement[] = [];
      let next = 0;
      let compared = 0;
      const worker = async () => {
        while (next < jobs.length && disagreements.length < ENOUGH && !t.signal.aborted) {
          const { query, variant } = jobs[next++]!;
          const [a, b] = await Promise.all([ours.run(query.name, query.type, variant.options), theirs.run(query.name, query.type, variant.options)]);
          compared++;
          if (digest(a) !== digest(b)) disagreements.push({ query, variant: variant.label, ours: a, theirs: b });
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      t.log.note(`${compared - disagreements.length} of ${compared} answers agree with NSD's`);
      if (disagreements.length === 0) return;
      const shown = disagreements.slice(0, SHOWN).map((d) =>
        [
          `query: ${d.query.name} ${d.query.type} (${d.variant}); replay against your program:`,
          `  ${d.ours.command}`,
          `your program:\n${indent(digest(d.ours))}`,
          `NSD:\n${indent(digest(d.theirs))}`,
        ].join("\n"),
      );
      throw new StageFailure({
        message: `${disagreements.length} of ${compared} answers disagree with NSD's on the same zone${compared < jobs.length ? ` (stopped there, ${jobs.length - compared} not asked)` : ""} (seed ${t.rand.seed}; replay with --seed=${t.rand.seed}).`,
        detail: `${shown.join("\n\n")}${disagreements.length > SHOWN ? `\n\n(and ${disagreements.length - SHOWN} more)` : ""}\n\nthe zone file is in the transcript (cat > zone.db)`,
        hint: "Compare the two answers: the status, the AA, TC and RA flags, the ANSWER section, and AUTHORITY when ANSWER is empty must be NSD's. The stage that covers the behaviour (referrals: 8, truncation: 6, negative answers: 5, CNAME chains: 3) says what is due.",
      });
    },
  },
]);

function indent(s: string): string {
  return s.replace(/^/gm, "  ");
}
