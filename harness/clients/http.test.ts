import { expect, test } from "bun:test";
import { selfTests } from "../self-test.ts";
import { frameResponse, header, parseResponseHead, rawRequest } from "./http.ts";

const frame = (s: string, o: { headRequest?: boolean; closed?: boolean } = {}) => frameResponse(Buffer.from(s, "latin1"), o);

selfTests("the harness's HTTP/1.1 response reader", () => {
  test("frames a body by Content-Length and leaves the next response", () => {
    const f = frame("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\n");
    if (f === "incomplete" || "error" in f) throw new Error(`not framed: ${JSON.stringify(f)}`);
    expect(f.response.status).toBe(200);
    expect(f.response.body.toString()).toBe("abc");
    expect(f.used).toBe("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc".length);
  });

  test("joins chunked data, skipping extensions and trailers", () => {
    const f = frame("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n");
    if (f === "incomplete" || "error" in f) throw new Error(`not framed: ${JSON.stringify(f)}`);
    expect(f.response.body.toString()).toBe("abc0123456789");
  });

  test("waits for the rest of a split response", () => {
    expect(frame("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")).toBe("incomplete");
    expect(frame("HTTP/1.1 200 OK\r\nContent-Le")).toBe("incomplete");
    expect(frame("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")).toBe("incomplete");
    // Without a length the body runs to the close.
    expect(frame("HTTP/1.1 200 OK\r\n\r\nabc")).toBe("incomplete");
    const closed = frame("HTTP/1.1 200 OK\r\n\r\nabc", { closed: true });
    expect(closed !== "incomplete" && !("error" in closed) && closed.response.body.toString()).toBe("abc");
  });

  test("HEAD, 204 and 304 responses have no body", () => {
    for (const [s, o] of [["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", { headRequest: true }], ["HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", {}], ["HTTP/1.1 204 No Content\r\n\r\n", {}]] as const) {
      const f = frame(s, o);
      if (f === "incomplete" || "error" in f) throw new Error(`not framed: ${s}`);
      expect(f.response.body.length).toBe(0);
    }
  });

  test("reports a bad status line or header line", () => {
    expect(parseResponseHead("HTTP/1.1 OK")).toContain("status line");
    expect(parseResponseHead("HTTP/1.1 200 OK\r\nno colon")).toContain("header line");
    const f = frame("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n");
    expect(f !== "incomplete" && "error" in f && f.error).toContain("Content-Length");
  });

  test("looks header names up case-insensitively, joining repeats", () => {
    const h = parseResponseHead("HTTP/1.1 200 OK\r\nVary: Accept-Encoding\r\nvary: Origin");
    if (typeof h === "string") throw new Error(h);
    expect(header({ ...h, body: Buffer.alloc(0), head: "" }, "VARY")).toBe("Accept-Encoding, Origin");
  });

  test("builds requests with Host and Content-Length", () => {
    expect(rawRequest("POST", "/files/a", [["X-A", "1"]], "héllo")).toBe("POST /files/a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhéllo");
  });
});
