import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { fullResync, handshake, infoField, replicaOfTest, waitForInfo } from "./support.ts";

export default stage(import.meta, [
  {
    name: "a replica sends PING, REPLCONF listening-port, REPLCONF capa and PSYNC, each after the master's reply",
    async run(t) {
      const { replica, link } = await replicaOfTest(t);
      await handshake(t, link, replica.port);
    },
  },
  {
    name: "after a full resync the replica reports role:slave and the link up",
    async run(t) {
      const { replica, link, masterPort } = await replicaOfTest(t);
      await handshake(t, link, replica.port);
      await fullResync(link, Buffer.from(t.rand.bytes(20)).toString("hex"), t.rand.int(0, 100000));
      const info = await waitForInfo(
        t,
        redisCli(t, replica),
        (i) => infoField(i, "role") === "slave" && infoField(i, "master_link_status") === "up",
        3000,
        "INFO replication on your replica did not show role:slave and master_link_status:up",
        "Once the master's +FULLRESYNC and the RDB payload ($<length>\\r\\n then that many bytes, no trailing \\r\\n) have arrived, the link is up: INFO replication shows role:slave, master_host, master_port and master_link_status:up.",
      );
      t.expectEqual(`${infoField(info, "master_host")}:${infoField(info, "master_port")}`, `127.0.0.1:${masterPort}`, {
        message: "INFO replication on your replica names the wrong master.",
        hint: "master_host and master_port are the host and port given to --replicaof.",
      });
    },
  },
]);
