import { baseUrl, curl, expectBody, expectHeader, expectStatus, HttpConnection, rawRequest } from "../../harness/clients/http.ts";
import { stage } from "../../harness/stage/define.ts";

const READ_HEADERS = "After the request line come header lines `Name: value`, each ending in \\r\\n, up to an empty line (RFC 9112 §5). Read them all into a map from name to value.";
const CASE = "Header names are case-insensitive (RFC 9110 §5.1): `user-agent`, `User-Agent` and `USER-AGENT` are the same field. Lowercase names when you store them, and look them up lowercased.";
const VALUE_CASE = "Only the field *name* is case-insensitive; the value is passed on exactly as sent (RFC 9110 §5.5): lowercase the name to look it up, never the value.";
const COLON = "The name ends at the first colon; everything after it (trimmed) is the value, colons included (RFC 9112 §5.1): `User-Agent: bot (http://x:80)` has the value `bot (http://x:80)`.";
const OWS = "The value is what follows the colon, without the optional spaces or tabs around it (RFC 9112 §5.1: `field-name \":\" OWS field-value OWS`).";

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

export default stage(import.meta, [
  {
    name: "/user-agent replies with curl's User-Agent header",
    async run(t) {
      const server = await t.start();
      // Upper-case letters in the value every run: names are case-insensitive, values are not.
      const agent = `${capital(t.rand.word())}/${t.rand.int(1, 9)}.${t.rand.int(0, 99)}`;
      const { responses } = await curl(t, ["-A", agent, `${baseUrl(server)}/user-agent`], { message: "curl could not get a response to GET /user-agent.", hint: READ_HEADERS });
      const r = responses[0]!;
      expectStatus(r, 200, { message: "GET /user-agent should answer 200 OK.", hint: READ_HEADERS });
      expectBody(r, agent, { message: "The body of GET /user-agent should be the value of the request's User-Agent header, as sent.", hint: r.body.toString().toLowerCase() === agent.toLowerCase() ? VALUE_CASE : READ_HEADERS });
      expectHeader(r, "Content-Type", /^text\/plain\b/, { message: "The /user-agent response should say its body is text/plain.", hint: "Add the header line Content-Type: text/plain (RFC 9110 §8.3), as for /echo/." });
    },
  },
  {
    name: "header names match in any case, and spaces around values are not part of them",
    async run(t) {
      const server = await t.start();
      const spellings = ["user-agent", "USER-AGENT", "uSeR-aGeNt"];
      for (const name of spellings) {
        const conn = await HttpConnection.open(t, server);
        // A colon inside the value, every run: only the first colon ends the name.
        const agent = `${capital(t.rand.word())}-${t.rand.int(100, 999)} (http://${t.rand.word()}:${t.rand.int(1000, 9999)})`;
        const other: [string, string] = [`X-${t.rand.word()}`, t.rand.word()];
        await conn.send(rawRequest("GET", "/user-agent", [other, [name, `   ${agent}  `], ["Accept", "*/*"], ["Connection", "close"]]));
        const r = await conn.response({ message: `No response to GET /user-agent with the header line "${name}:   ${agent}  ".`, hint: READ_HEADERS });
        expectStatus(r, 200, { message: "GET /user-agent should answer 200 OK.", hint: READ_HEADERS });
        expectBody(r, agent, { message: `The request's User-Agent header was sent as "${name}:   ${agent}  " (name in another case, spaces around the value); the body should be its value.`, hint: r.body.toString().trim() === agent ? OWS : r.body.toString().toLowerCase() === agent.toLowerCase() ? VALUE_CASE : agent.startsWith(r.body.toString()) && r.body.length > 0 ? COLON : CASE });
        conn.close();
      }
      // No space at all after the colon: the whitespace is optional (OWS), so `User-Agent:value` is the same field.
      const tight = `${capital(t.rand.word())}/${t.rand.int(1, 9)}`;
      const conn = await HttpConnection.open(t, server);
      await conn.send(`GET /user-agent HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent:${tight}\r\nConnection: close\r\n\r\n`);
      const r = await conn.response({ message: `No response to GET /user-agent with the header line "User-Agent:${tight}" (no space after the colon).`, hint: OWS });
      expectStatus(r, 200, { message: "GET /user-agent should answer 200 OK.", hint: OWS });
      expectBody(r, tight, { message: `The request's User-Agent header was sent as "User-Agent:${tight}", with no space after the colon (the space is optional: a field line is name ":" OWS value OWS); the body should be its value.`, hint: `${OWS} Split a field line at its first colon, not at ": ".` });
      conn.close();
    },
  },
]);
