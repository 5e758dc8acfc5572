import { baseUrl, curl, exchange, expectBody, expectHeader, expectStatus, rawRequest } from "../../harness/clients/http.ts";
import { stage } from "../../harness/stage/define.ts";

const ROUTE = "Take the path from the request line (the second word of `GET /echo/abc HTTP/1.1`, RFC 9112 §3) and choose the response by it.";
const QUERY = "The path is the part of the request target before any `?` (RFC 9110 §4.2.1, §7.1): `/echo/abc?x=1` is the path `/echo/abc` with the query `x=1`; route by the path alone.";
const ABSOLUTE = "A request target may also come in absolute form, `GET http://host:port/echo/abc HTTP/1.1` (RFC 9112 §3.2.2: a server MUST accept it): route by the path after the authority, as for `/echo/abc`.";
const NOT_FOUND = "A path your server has no route for is answered with 404 Not Found (RFC 9110 §15.5.5), not 200.";

export default stage(import.meta, [
  {
    name: "/echo/<text> replies with the text as text/plain",
    async run(t) {
      const server = await t.start();
      for (const text of [t.rand.word(), `${t.rand.word()}-${t.rand.int(0, 9999)}`]) {
        const { responses } = await curl(t, [`${baseUrl(server)}/echo/${text}`], { message: `curl could not get a response to GET /echo/${text}.`, hint: ROUTE });
        const r = responses[0]!;
        expectStatus(r, 200, { message: `GET /echo/${text} should answer 200 OK.`, hint: ROUTE });
        expectHeader(r, "Content-Type", /^text\/plain\b/, { message: "The /echo/ response should say its body is text/plain.", hint: "Add the header line Content-Type: text/plain (RFC 9110 §8.3)." });
        expectBody(r, text, { message: `The body of GET /echo/${text} should be the text after /echo/.`, hint: "Reply with the rest of the path after /echo/ as the body, and its length in bytes as Content-Length." });
      }
    },
  },
  {
    name: "a query after ? is not part of the path",
    async run(t) {
      const server = await t.start();
      const text = t.rand.word();
      const query = `${t.rand.word()}=${t.rand.int(0, 999)}`;
      const { responses } = await curl(t, [`${baseUrl(server)}/echo/${text}?${query}`], { message: `curl could not get a response to GET /echo/${text}?${query}.`, hint: QUERY });
      expectStatus(responses[0]!, 200, { message: `GET /echo/${text}?${query} should answer 200 OK.`, hint: QUERY });
      expectBody(responses[0]!, text, { message: `The body of GET /echo/${text}?${query} should be ${text}: the query is not part of the path.`, hint: QUERY });
    },
  },
  {
    name: "an absolute-form request target (http://host/path) is routed by its path",
    async run(t) {
      const server = await t.start();
      const text = t.rand.word();
      const target = `${baseUrl(server)}/echo/${text}`;
      const r = await exchange(t, server, rawRequest("GET", target), { message: `No response to GET ${target} HTTP/1.1.`, hint: ABSOLUTE });
      expectStatus(r, 200, { message: `GET ${target} HTTP/1.1 (absolute form) should answer 200 OK, as GET /echo/${text} does.`, hint: ABSOLUTE });
      expectBody(r, text, { message: `The body of GET ${target} should be ${text}.`, hint: ABSOLUTE });
    },
  },
  {
    name: "paths with no route get 404 Not Found, and / still gets 200",
    async run(t) {
      const server = await t.start();
      for (const path of [`/${t.rand.word()}`, `/${t.rand.word()}/${t.rand.word()}.html`, "/echo"]) {
        const { responses } = await curl(t, [`${baseUrl(server)}${path}`], { message: `curl could not get a response to GET ${path}.`, hint: NOT_FOUND });
        expectStatus(responses[0]!, 404, { message: `GET ${path} (a path with no route) should answer 404 Not Found.`, hint: NOT_FOUND });
      }
      const { responses } = await curl(t, [`${baseUrl(server)}/`], { message: "curl could not get a response to GET /.", hint: ROUTE });
      expectStatus(responses[0]!, 200, { message: "GET / should still answer 200 OK.", hint: ROUTE });
    },
  },
]);
