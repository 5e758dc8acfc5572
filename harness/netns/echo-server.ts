/** A UDP or TCP echo server for tests: `bun echo-server.ts <udp|tcp> <port>`, on every address of its namespace. */
export {};

const [proto, portText] = process.argv.slice(2);
const listenPort = Number(portText);
if ((proto !== "udp" && proto !== "tcp") || !Number.isInteger(listenPort)) {
  console.error("usage: echo-server.ts <udp|tcp> <port>");
  process.exit(2);
}
if (proto === "udp") {
  await Bun.udpSocket({
    port: listenPort,
    hostname: "0.0.0.0",
    socket: { data: (s, data, port, address) => void s.send(data, port, address) },
  });
} else {
  Bun.listen<undefined>({ hostname: "0.0.0.0", port: listenPort, socket: { data: (s, data) => void s.write(data) } });
}
