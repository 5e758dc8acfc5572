import { stage } from "../../harness/stage/define.ts";
import { presumedLeader } from "../../challenges/distributed/workbench/lin-kv.ts";
import { AVAILABLE, change, changeOnce, join, killForGood, membershipCluster, settled, soon } from "../../challenges/distributed/workbench/membership.ts";

const ONE_AT_A_TIME =
  "Change the configuration one server at a time (Ongaro's dissertation §4.1): accept add_node or remove_node only once the previous configuration entry is committed (answer error 11, or wait, meanwhile), and count a majority of the new configuration. Then any majority of the old configuration and any majority of the new one share a node; adding two at once (three members to five) lets two of the old three and three of the new five decide apart.";
const NEW_MAJORITY =
  "Once a configuration entry is in a node's log, that node counts majorities of the new configuration, for commits, votes and reads (dissertation §4.1): with five members, two nodes are not a majority, whatever init's node_ids said.";
const COMMIT_FIRST =
  "Answer add_node_ok (or remove_node_ok) only once the configuration entry is committed, that is stored by a majority of the new configuration, counted out of the new configuration's members (dissertation §4.1): a leader cut off from the other old members, with the new node alone, holds 2 of 4, not a majority; until the entry is committed the change may still be lost.";
const CAUGHT_UP =
  "A node just added is a member as soon as the configuration entry is in the logs: the leader replicates to every member of the last configuration in its log (the new node first needs every earlier entry, or the snapshot), and counts its acknowledgements in the new majority.";
const OUTSIDER =
  "A node that is not in its own configuration (the last one in its log, else init's node_ids) never stands for election: a node just initialised with node_ids that do not name it waits for a leader to contact it, and one removed stays silent. Its RequestVote, with a higher term, would depose the leader for nothing (dissertation §4.2.3).";
const STEP_DOWN =
  "A leader that removes itself keeps leading only until the new configuration is committed (counting a majority of it, without itself), then steps down and stays silent: the members elect a leader among themselves (dissertation §4.2.2).";
const SNAPSHOT_MEMBERS =
  "A restarted node's configuration is the last one in its log, else the one in its snapshot: when the log is compacted, the snapshot records the configuration as of its last entry (dissertation, chapter 5), saved with it and sent with InstallSnapshot; init's node_ids after a restart name the processes the workbench runs, not the members.";
/** More than the reference's 16 applied entries between snapshots, with a margin: its configuration entries are then in the snapshot only. */
const COMPACTING_WRITES = 24;
const REMOVED =
  "A removed node no longer counts: majorities are of the current configuration only, so the members left decide without it (dissertation §4.2); a leader that removes itself steps down once that entry is committed (§4.2.2), and the others elect a leader among themselves.";

export default stage(import.meta, [
  {
    name: "three nodes grown to five, one server at a time: two additions at once, through a leader cut off from the rest of the old configuration, complete neither; with five members, two nodes cut off commit nothing and the other three serve",
    async run(t) {
      const { net, ids, spares, h, ks } = await membershipCluster(t, 3, 4, 3);
      const [k1, k2, k3] = ks as [string, string, string];
      const [n4, n5, n6, n7] = spares as [string, string, string, string];
      const [leader] = await presumedLeader(t, net, ids, { past: true });
      const rest = ids.filter((n) => n !== leader);
      await join(t, net, n4);
      await join(t, net, n5);
      net.partition([[leader, n4, n5], rest]);
      // Both additions at once to the leader, which reaches only the two new nodes: no correct change commits there.
      const adds = [n4, n5].map((n) => changeOnce(t, net, net.client(1), leader, "add_node", n, 700));
      const cutWrite = h.op(net.client(2), leader, k2, { f: "write", value: h.fresh() }, 700);
      // The old configuration's majority elects a leader and serves; then a read through the cut-off leader.
      await soon(t, h, net.client(3), rest, k1, { f: "write", value: h.fresh() }, 3000, `with ${rest.join(" and ")}, two of the three members, reaching each other`);
      const cutRead = h.op(net.client(2), leader, k1, { f: "read" }, 400);
      const done = (await Promise.all(adds)).filter((r) => r.outcome === "ok");
      if (done.length > 0) {
        t.fail({
          message: `${leader}, cut off from ${rest.join(" and ")} with only ${n4} and ${n5} (not yet members), acknowledged ${done.length === 2 ? "both additions" : "an addition"}: no configuration reachable one server at a time from ${ids.join(", ")} is committed by ${leader} alone of the old members.`,
          expected: `no add_node_ok from ${leader} while it is cut off (no reply, or error 11)`,
          received: done.map((r) => r.text).join("\n"),
          hint: done.length === 2 ? ONE_AT_A_TIME : COMMIT_FIRST,
        });
      }
      await cutWrite;
      await cutRead;
      net.heal();
      // n4 and n5 may hold entries of the cut-off leader's that were never committed: they are stopped, and two fresh nodes added instead.
      await killForGood(t, net, n4);
      await killForGood(t, net, n5);
      // One at a time, through any member, while clients keep sending requests.
      const background = h.random([net.client(4), net.client(5)], ids, [k3], Date.now() + 300);
      for (const n of [n6, n7]) {
        await join(t, net, n);
        await change(t, net, net.client(1), ids, "add_node", n, 3000, "on a healthy network");
      }
      await background;
      // Five members: the two that were the old majority are now a minority; the other three must serve.
      const majority = [leader, n6, n7];
      net.partition([rest, majority]);
      const minorityWrite = h.op(net.client(2), rest[0]!, k2, { f: "write", value: h.fresh() }, 700);
      const three = `with ${majority.join(", ")}, three of the five members (${n6} and ${n7} added last), reaching each other`;
      await soon(t, h, net.client(3), majority, k1, { f: "write", value: h.fresh() }, 3000, three, `${AVAILABLE} ${CAUGHT_UP}`);
      await soon(t, h, net.client(3), majority, k2, { f: "read" }, 3000, three, `${AVAILABLE} ${CAUGHT_UP}`);
      await Promise.all(rest.map((n) => h.op(net.client(2), n, k1, { f: "read" }, 400)));
      await minorityWrite;
      net.heal();
      await h.readEverywhere(net.client(6), net.members, ks, 3000, "after the network healed");
      await settled(h);
      net.check();
      h.check(`${NEW_MAJORITY} In this case ${rest.join(" and ")}, two of five members, were cut off from the other three.`);
    },
  },
  {
    name: "five nodes shrunk to three: the leader removes itself and is killed, one more node is removed and left running; the two members cut off from it must serve alone, and hold every value (also those written before they joined)",
    async run(t) {
      const { net, ids, spares, h, ks } = await membershipCluster(t, 3, 2, 4);
      // The first key is written only before the new nodes join: afterwards only the log (or snapshot) they catch up from holds its value.
      const later = ks.slice(1);
      const joined = Date.now();
      for (const n of spares) await join(t, net, n);
      // While the leader is found (at least 400 ms), n4 and n5 wait, initialised but not members: no one contacts them, and they must stay silent.
      const [leader] = await presumedLeader(t, net, ids);
      for (const n of spares) {
        const to = ids.filter((m) => net.mostTo(m, Date.now() - joined, [n]) !== undefined);
        if (to.length > 0) {
          t.fail({
            message: `${n}, initialised with node_ids ${JSON.stringify(ids)} (so not a member) and not yet added, sent messages to ${to.join(", ")} before any node contacted it.`,
            expected: `nothing from ${n} until a leader sends it entries`,
            received: `messages from ${n} to ${to.join(", ")} within ${((Date.now() - joined) / 1000).toFixed(1)} s of its init`,
            hint: OUTSIDER,
          });
        }
      }
      for (const n of spares) await change(t, net, net.client(1), ids, "add_node", n, 3000, "on a healthy network");
      const background = h.random([net.client(4), net.client(5)], [...net.members], later, Date.now() + 400);
      await change(t, net, net.client(1), net.members, "remove_node", leader, 3000, "on a healthy network (the leader removing itself)");
      const removedAt = Date.now();
      await background;
      // One more node removed, among those that were there from the start if any are left.
      const old = net.members.filter((n) => ids.includes(n));
      const removed = t.rand.pick(old.length > 0 ? old : net.members);
      await change(t, net, net.client(1), net.members, "remove_node", removed, 3000, `with ${leader} removed`);
      // From 0.1 s to 0.4 s after its removal was acknowledged, the old leader may answer a vote request, but no longer leads: it is not the node sending to the most others.
      await Bun.sleep(Math.max(0, removedAt + 400 - Date.now()));
      if (net.busiest(300) === leader) {
        t.fail({
          message: `${leader}, the leader, removed itself (remove_node_ok) but was still the node sending to the most others from 0.1 s to 0.4 s after: it kept leading a configuration it is not in.`,
          expected: `${leader} silent (or answering a vote request) 0.1 s after its removal was acknowledged`,
          received: `${leader} sent to more nodes than any other in that window (a leader's heartbeats)`,
          hint: STEP_DOWN,
        });
      }
      await killForGood(t, net, leader);
      // The removed node, still running, and one member on one side; the other two members on the other.
      const oldLeft = net.members.filter((n) => ids.includes(n));
      const keeper = t.rand.pick(oldLeft.length > 0 ? oldLeft : net.members);
      const pair = net.members.filter((n) => n !== keeper);
      net.partition([[removed, keeper], pair]);
      const cutWrite = h.op(net.client(2), keeper, later[0]!, { f: "write", value: h.fresh() }, 700);
      const when = `with ${pair.join(" and ")}, two of the three members, cut off from ${keeper} and the removed ${removed}`;
      await soon(t, h, net.client(3), pair, later[1]!, { f: "write", value: h.fresh() }, 3000, when, `${AVAILABLE} ${REMOVED}`);
      for (const node of pair) for (const key of ks) await soon(t, h, net.client(3), [node], key, { f: "read" }, 3000, when, `${AVAILABLE} ${REMOVED}`);
      await Promise.all([keeper, removed].map((n) => h.op(net.client(2), n, later[1]!, { f: "read" }, 400)));
      await cutWrite;
      // Enough writes for a log compacted every few dozen entries to hold the configuration only in its snapshot; then the pair killed and restarted, still cut off.
      await Promise.all(
        [0, 1].map(async (c) => {
          for (let i = c; i < COMPACTING_WRITES; i += 2) await h.until(net.client(3 + c), pair, later[i % later.length]!, { f: "write", value: h.fresh() }, 3000, when);
        }),
      );
      await h.crashAndRestart(pair);
      const restarted = `with ${pair.join(" and ")} killed and restarted after ${COMPACTING_WRITES} more writes, still cut off from ${keeper} and the removed ${removed}`;
      await soon(t, h, net.client(3), pair, later[1]!, { f: "write", value: h.fresh() }, 3000, restarted, `${AVAILABLE} ${SNAPSHOT_MEMBERS}`);
      await settled(h);
      net.check();
      h.check(`${REMOVED} In this case ${pair.join(" and ")} were the majority of the members left; ${removed}, removed, was cut off with ${keeper}.`);
    },
  },
]);
