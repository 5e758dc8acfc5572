import { isListening } from "../../harness/process/listening.ts";
import { clientOutcome, connectionsTo, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";
import type { FailureDetails } from "../../harness/report/failure.ts";

const READY_HINT = "The client connects to --server, sends the token and the name (or port) it wants, and prints `tunnel ready …` once the server has accepted.";
const TOKEN_HINT = "The server must compare the client's token with its own --token and refuse the registration when they differ; the client then prints why on stderr (mention the token) and exits with a non-zero status.";
const CLOSE_PORT = "A TCP tunnel's public port belongs to its client: when the client's connection to the server goes, stop listening on the port (close the listening socket) and free it for the next client that registers it.";
const TAKEN_HINT = "One name belongs to one client at a time: the server refuses a second registration of a name in use, and the refused client prints why on stderr (name the name) and exits non-zero.";

/** The report for a client that printed its ready line and then exited non-zero: it was refused, but said it was ready first. */
function readyTooSoon(line: string, code: number): FailureDetails {
  return {
    message: `The client printed its ready line, then exited with code ${code}: the server refused it, but the client had said it was ready before the server answered.`,
    expected: "no ready line, then a non-zero exit",
    received: `${line}, then exit code ${code}`,
    hint: "Print the `tunnel ready` line only once the server has accepted the registration (its answer says so), never when the connection to it is merely up: the tests, like a user, take that line to mean the public address works.",
  };
}

export default stage(import.meta, [
  {
    name: "an HTTP tunnel registers, prints its ready line, and holds one connection to the server",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const client = await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: await t.port() });
      await Bun.sleep(200);
      if (client.process.exitCode !== null) t.fail({ message: `The client exited (code ${client.process.exitCode}) after registering.`, hint: "The client keeps running: it holds its connection to the server and waits for public connections to forward." });
      const n = connectionsTo(server.controlPort);
      t.expectEqual(String(n), "1", { message: `Connections from the client to the server's control port ${server.controlPort}, read from /proc/net/tcp after registration.`, hint: READY_HINT });
    },
  },
  {
    name: "a client with a wrong token is refused: it exits non-zero and says why",
    async run(t) {
      const server = await startTunnelServer(t);
      const r = await clientOutcome(t, { serverPort: server.controlPort, token: `${server.token}x`, http: t.rand.word(), to: await t.port() });
      if (r.kind === "ready" && r.thenExited !== undefined) return t.fail(readyTooSoon(r.line, r.thenExited));
      if (r.kind === "ready") return t.fail({ message: "A client with a wrong token was accepted: it printed its ready line.", received: r.line, hint: TOKEN_HINT });
      if (r.kind === "neither") return t.fail({ message: "A client with a wrong token neither exited nor printed its ready line within 5 s.", expected: "a non-zero exit status and a message on stderr", hint: TOKEN_HINT });
      if (r.code === 0) t.fail({ message: "A client with a wrong token exited with status 0.", expected: "a non-zero exit status", received: "0", hint: TOKEN_HINT });
      if (!/token/i.test(r.output)) t.fail({ message: "The refused client should say the token was the problem.", expected: "a message mentioning the token", received: r.output.trim() || "(no output)", hint: TOKEN_HINT });
      // A token differs by case too: it is a secret, compared byte for byte.
      const upper = server.token.toUpperCase();
      const again = await clientOutcome(t, { serverPort: server.controlPort, token: upper, http: t.rand.word(), to: await t.port() });
      if (again.kind !== "exited" || again.code === 0) t.fail({ message: `A client with the token in capitals (${upper}, the server's is ${server.token}) was not refused.`, expected: "a non-zero exit status", received: again.kind === "ready" ? again.line : again.kind === "neither" ? "it kept running" : "exit status 0", hint: `${TOKEN_HINT} Compare the tokens byte for byte: a token is a secret, not a name.` });
    },
  },
  {
    name: "a name already taken is refused, and the first client keeps it",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const first = await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: await t.port() });
      const r = await clientOutcome(t, { serverPort: server.controlPort, token: server.token, http: name, to: await t.port() });
      if (r.kind !== "exited" || r.code === 0) return t.fail({ message: r.kind === "exited" ? `A second client asking for the name "${name}", which the first still holds, exited with status 0.` : `A second client was given the name "${name}" while the first still holds it.`, expected: "the second client exits non-zero", received: r.kind === "ready" ? r.line : r.kind === "neither" ? "it kept running" : "exit status 0", hint: TAKEN_HINT });
      if (!r.output.toLowerCase().includes(name)) t.fail({ message: "The refused client should say which name is taken.", expected: `a message naming "${name}"`, received: r.output.trim() || "(no output)", hint: TAKEN_HINT });
      if (first.process.exitCode !== null) t.fail({ message: "The first client exited when a second one asked for its name.", hint: TAKEN_HINT });
      // A different name is still free.
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: `${name}2`, to: await t.port() });
    },
  },
  {
    name: "a TCP tunnel registers one of the server's --tcp-ports, and the server listens on it; another port is refused",
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 2 });
      const port = server.tcpPorts[1]!;
      if (isListening(port, "tcp")) t.fail({ message: `The server listens on public port ${port} before any client asked for it.`, hint: "Open a public TCP port when a client registers it (and close it when that client goes)." });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: await t.port() });
      if (!isListening(port, "tcp")) t.fail({ message: `The client said it was ready, but nothing listens on the public port ${port} it registered.`, hint: "The server listens on the port before it accepts the registration (and the client prints its ready line only then)." });
      // A port the server was not given is refused.
      const other = await t.port();
      const r = await clientOutcome(t, { serverPort: server.controlPort, token: server.token, tcp: other, to: await t.port() });
      if (r.kind !== "exited" || r.code === 0) return t.fail({ message: `A client was given public port ${other}, which is not in the server's --tcp-ports (${server.tcpPorts.join(",")}).`, expected: "the client exits non-zero", received: r.kind === "ready" ? r.line : r.kind === "neither" ? "it kept running" : "exit status 0", hint: "Only the ports listed in --tcp-ports may be opened for clients: refuse any other, and say which port on stderr." });
      if (!r.output.includes(String(other))) t.fail({ message: "The refused client should say which port it could not have.", expected: `a message naming ${other}`, received: r.output.trim() || "(no output)", hint: "Name the port in the refusal." });
      if (isListening(other, "tcp")) t.fail({ message: `The server listens on port ${other}, which is not in its --tcp-ports.`, hint: "Only the ports listed in --tcp-ports may be opened for clients." });
    },
  },
  {
    name: "when a TCP tunnel's client goes away, the server stops listening on its port, and another client can register it",
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 1 });
      const port = server.tcpPorts[0]!;
      const first = await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: await t.port() });
      if (!isListening(port, "tcp")) t.fail({ message: `The client said it was ready, but nothing listens on the public port ${port} it registered.`, hint: "The server listens on the port before it accepts the registration (and the client prints its ready line only then)." });
      t.log.command(`kill ${first.process.pid}    # the TCP tunnel's client goes away`);
      await first.stop();
      const deadline = Date.now() + 3000;
      while (isListening(port, "tcp") && Date.now() < deadline) await Bun.sleep(20);
      if (isListening(port, "tcp")) t.fail({ message: `The client of the TCP tunnel on port ${port} went away (its connection to the server closed), but 3 s later the server still listens on ${port}.`, hint: CLOSE_PORT });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: await t.port() });
      if (!isListening(port, "tcp")) t.fail({ message: `A second client registered port ${port} after the first went away, but nothing listens on it.`, hint: CLOSE_PORT });
    },
  },
]);
