/**
 * Bad input: a table of malformed and hostile requests against a real server. Every one
 * must get its typed 4xx (never a 5xx), and the store must be unchanged afterwards
 * (checksum of each user's export plus the store counts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openKeys } from "../src/server/state.js";
import { MnemoClient } from "../src/client/index.js";
import { startServer, type RunningServer } from "../src/server/main.js";
import { sha256, tempDir } from "./support/server-harness.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";

afterAll(stopTestPostgres);

type KeyName = "admin" | "read" | "write" | "evil" | "none" | "revoked";
interface Case {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  contentType?: string | null;
  headers?: Record<string, string>;
  key?: KeyName;
  status: number;
  code?: string;
}

const J = "application/json";
const mb = (n: number) => "x".repeat(n * 1024 * 1024);
const msg = (m: Record<string, unknown>) => JSON.stringify({ userId: "alice", messages: [{ content: "hello there", ...m }] });
const rem = (o: Record<string, unknown>) => JSON.stringify({ userId: "alice", messages: [{ content: "hello" }], ...o });
const rec = (o: Record<string, unknown>) => JSON.stringify({ userId: "alice", query: "where?", ...o });
const INVALID_UTF8 = new Uint8Array([...new TextEncoder().encode('{"userId":"alice","messages":[{"content":"'), 0xc3, 0x28, 0xff, ...new TextEncoder().encode('"}]}')]);

/** The stores the table runs on: a temp SQLite file, and a fresh PostgreSQL schema. */
const BACKENDS = [
  { name: "sqlite", skip: false, pg: false },
  { name: "postgres", skip: PG_OFF, pg: true },
];

for (const backend of BACKENDS) describe.skipIf(backend.skip)(`bad input → typed 4xx, never 5xx, store unchanged (${backend.name})`, () => {
  const tmp = tempDir();
  let db = join(tmp.dir, "m.db");
  let keysDb = db;
  let dropPg: () => Promise<void> = async () => undefined;
  let server: RunningServer;
  const keys: Record<KeyName, string> = { admin: "", read: "", write: "", evil: "", none: "", revoked: "" };
  let aliceMem = "";
  let bobMem = "";
  let aliceExport = "";

  const send = (c: Case) => {
    const headers: Record<string, string> = { ...c.headers };
    const key = keys[c.key ?? "admin"];
    if (key) headers.authorization = `Bearer ${key}`;
    if (c.body !== undefined && c.contentType !== null) headers["content-type"] = c.contentType ?? J;
    const path = c.path.replace("{alice}", aliceMem).replace("{bob}", bobMem);
    return fetch(`${server.url}${path}`, { method: c.method, headers, body: c.body });
  };

  const snapshot = async () => {
    const c = new MnemoClient({ baseUrl: server.url, apiKey: keys.admin });
    const parts = [await c.exportUser("alice"), await c.exportUser("bob")];
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    parts.push(...metrics.split("\n").filter((l) => l.startsWith("mnemo_writes_total")));
    const evil = await (await fetch(`${server.url}/v1/memories?userId=alice`, { headers: { authorization: `Bearer ${keys.evil}` } })).text();
    parts.push(evil);
    return sha256(parts.join("\n"));
  };

  beforeAll(async () => {
    if (backend.pg) {
      const pg = await freshPgUrl("bad");
      db = pg.url;
      dropPg = pg.drop;
      // A PostgreSQL store keeps API keys in its database.
      keysDb = db;
    }
    server = await startServer({ port: 0, db, logLevel: "silent", rateLimit: false });
    const { keys: ks, close } = await openKeys(keysDb);
    keys.admin = (await ks.create({ tenant: "acme", scopes: "read,write,admin" })).key;
    keys.read = (await ks.create({ tenant: "acme", scopes: "read" })).key;
    keys.write = (await ks.create({ tenant: "acme", scopes: "read,write" })).key;
    keys.evil = (await ks.create({ tenant: "evil", scopes: "read,write,admin" })).key;
    const revoked = await ks.create({ tenant: "acme" });
    await ks.revoke(revoked.info.id);
    keys.revoked = revoked.key;
    await close();
    const c = new MnemoClient({ baseUrl: server.url, apiKey: keys.admin });
    await c.remember({ userId: "alice", messages: [{ id: "a1", speaker: "Alice", content: "I moved to Lisbon in March 2023 and I love surfing.", occurredAt: "2023-04-01" }] }, { idempotencyKey: "seed-key" });
    await c.remember({ userId: "bob", messages: [{ id: "b1", speaker: "Bob", content: "I work as a nurse in Oslo.", occurredAt: "2023-04-02" }] });
    aliceMem = (await c.listMemories({ userId: "alice" })).items[0]!.id;
    bobMem = (await c.listMemories({ userId: "bob" })).items[0]!.id;
    aliceExport = await c.exportUser("alice");
  });
  afterAll(async () => {
    await server.close();
    await dropPg();
    tmp.cleanup();
  });

  const cases = (): Case[] => {
    const out: Case[] = [];
    const add = (name: string, c: Omit<Case, "name">) => out.push({ name, ...c });
    // --- POST /v1/remember: body shape
    const R = (name: string, body: string | Uint8Array, status = 400, code?: string, extra: Partial<Case> = {}) => add(`remember: ${name}`, { method: "POST", path: "/v1/remember", body, status, code, ...extra });
    R("truncated JSON", "{", 400, "INVALID_JSON");
    R("empty body", "", 400, "INVALID_JSON");
    R("whitespace body", "   \n", 400, "INVALID_JSON");
    R("JSON array", "[]", 400, "INVALID_INPUT");
    R("JSON null", "null");
    R("JSON string", '"hi"');
    R("JSON number", "42");
    R("trailing garbage", rem({}) + "}", 400, "INVALID_JSON");
    R("single quotes", "{'userId':'alice'}", 400, "INVALID_JSON");
    R("missing userId", JSON.stringify({ messages: [{ content: "x" }] }));
    R("userId number", rem({ userId: 7 }));
    R("userId empty", rem({ userId: "" }));
    R("userId path traversal", rem({ userId: "../../etc/passwd" }));
    R("userId too long", rem({ userId: "a".repeat(201) }));
    R("userId with space", rem({ userId: "a b" }));
    R("userId with NUL", rem({ userId: "a\u0000b" }));
    R("userId SQL", rem({ userId: "x' OR '1'='1" }));
    R("userId null", rem({ userId: null }));
    R("tenant in body", rem({ tenant: "evil" }));
    R("unknown top-level field", rem({ extra: 1 }));
    R("__proto__ field", '{"__proto__":{"admin":true},"userId":"alice","messages":[{"content":"x"}]}');
    R("missing messages", JSON.stringify({ userId: "alice" }));
    R("messages string", rem({ messages: "hello" }));
    R("messages empty", rem({ messages: [] }));
    R("messages [null]", rem({ messages: [null] }));
    R("messages [string]", rem({ messages: ["hello"] }));
    R("too many messages", rem({ messages: Array.from({ length: 1001 }, () => ({ content: "x" })) }));
    R("content missing", rem({ messages: [{ role: "user" }] }));
    R("content number", msg({ content: 5 }));
    R("content null", msg({ content: null }));
    R("content empty", msg({ content: "" }));
    R("content only spaces", msg({ content: "    " }));
    R("content over 100k chars", msg({ content: "y".repeat(100_001) }));
    R("role number", msg({ role: 1 }));
    R("role too long", msg({ role: "r".repeat(51) }));
    R("speaker empty", msg({ speaker: "" }));
    R("message id empty", msg({ id: "" }));
    R("message unknown field", msg({ foo: "bar" }));
    R("message tenant field", msg({ tenant: "evil" }));
    R("metadata array", msg({ metadata: [1, 2] }));
    R("sessionId with space", msg({ sessionId: "a b" }));
    R("agentId object", rem({ agentId: { a: 1 } }));
    R("occurredAt nonsense", msg({ occurredAt: "the other day" }), 400, "INVALID_DATE");
    R("occurredAt Feb 30", msg({ occurredAt: "2023-02-30" }), 400, "INVALID_DATE");
    R("occurredAt month 13", msg({ occurredAt: "2023-13-01" }), 400, "INVALID_DATE");
    R("occurredAt hour 25", msg({ occurredAt: "2023-01-01T25:00:00Z" }), 400, "INVALID_DATE");
    R("occurredAt number", msg({ occurredAt: 1700000000 }));
    R("occurredAt empty", msg({ occurredAt: "" }));
    R("occurredAt SQL", msg({ occurredAt: "2023-01-01'; DROP TABLE memories; --" }), 400, "INVALID_DATE");
    R("deeply nested JSON", "[".repeat(5000) + "]".repeat(5000));
    R("10 MB body", rem({ messages: [{ content: mb(10) }] }), 413, "PAYLOAD_TOO_LARGE");
    R("2 MB body", rem({ messages: [{ content: mb(2) }] }), 413, "PAYLOAD_TOO_LARGE");
    R("invalid UTF-8", INVALID_UTF8, 400, "INVALID_INPUT");
    R("lone surrogate bytes", new Uint8Array([...new TextEncoder().encode('{"userId":"'), 0xed, 0xa0, 0x80, ...new TextEncoder().encode('"}')]), 400, "INVALID_INPUT");
    R("text/plain", rem({}), 415, "UNSUPPORTED_MEDIA_TYPE", { contentType: "text/plain" });
    R("form encoded", "userId=alice", 415, "UNSUPPORTED_MEDIA_TYPE", { contentType: "application/x-www-form-urlencoded" });
    R("latin1 charset", rem({}), 415, "UNSUPPORTED_MEDIA_TYPE", { contentType: "application/json; charset=latin1" });
    R("no key", rem({}), 401, "UNAUTHORIZED", { key: "none" });
    R("revoked key", rem({}), 401, "UNAUTHORIZED", { key: "revoked" });
    R("read-only key", rem({}), 403, "FORBIDDEN", { key: "read" });
    R("Bearer without token", rem({}), 401, "UNAUTHORIZED", { key: "none", headers: { authorization: "Bearer" } });
    R("Bearer with two tokens", rem({}), 401, "UNAUTHORIZED", { key: "none", headers: { authorization: `Bearer a b` } });
    R("malformed key", rem({}), 401, "UNAUTHORIZED", { key: "none", headers: { authorization: "Bearer mnemo_zz_zz" } });
    R("Basic auth", rem({}), 401, "UNAUTHORIZED", { key: "none", headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } });
    R("Idempotency-Key too long", rem({}), 400, "INVALID_INPUT", { headers: { "idempotency-key": "k".repeat(256) } });
    R("Idempotency-Key with space", rem({}), 400, "INVALID_INPUT", { headers: { "idempotency-key": "a b" } });
    R("Idempotency-Key reused for another body", rem({ messages: [{ content: "different" }] }), 422, "IDEMPOTENCY_MISMATCH", { headers: { "idempotency-key": "seed-key" } });
    // --- POST /v1/recall
    const Q = (name: string, body: string, status = 400, code?: string, extra: Partial<Case> = {}) => add(`recall: ${name}`, { method: "POST", path: "/v1/recall", body, status, code, ...extra });
    Q("missing query", JSON.stringify({ userId: "alice" }));
    Q("query empty", rec({ query: "" }));
    Q("query number", rec({ query: 1 }));
    Q("query array", rec({ query: ["a"] }));
    Q("query too long", rec({ query: "q".repeat(10_001) }));
    Q("missing userId", JSON.stringify({ query: "x" }));
    Q("negative budget", rec({ budgetTokens: -1 }));
    Q("zero budget", rec({ budgetTokens: 0 }));
    Q("fractional budget", rec({ budgetTokens: 1.5 }));
    Q("string budget", rec({ budgetTokens: "100" }));
    Q("huge budget", rec({ budgetTokens: 1e12 }));
    Q("NaN-ish budget", '{"userId":"alice","query":"x","budgetTokens":NaN}', 400, "INVALID_JSON");
    Q("asOf nonsense", rec({ asOf: "whenever" }), 400, "INVALID_DATE");
    Q("asOf Feb 30", rec({ asOf: "2023-02-30" }), 400, "INVALID_DATE");
    Q("asOf number", rec({ asOf: 5 }));
    Q("kinds unknown", rec({ kinds: ["gossip"] }));
    Q("kinds string", rec({ kinds: "fact" }));
    Q("kinds empty", rec({ kinds: [] }));
    Q("citeSources string", rec({ citeSources: "yes" }));
    Q("citeSources number", rec({ citeSources: 1 }));
    Q("filters unknown key", rec({ filters: { tenant: "evil" } }));
    Q("filters.from bad date", rec({ filters: { from: "tomorrow-ish" } }), 400, "INVALID_DATE");
    Q("filters not object", rec({ filters: "x" }));
    Q("unknown field", rec({ reinforce: false }));
    Q("tenant field", rec({ tenant: "evil" }));
    Q("invalid JSON", "{query:", 400, "INVALID_JSON");
    Q("no key", rec({}), 401, "UNAUTHORIZED", { key: "none" });
    // --- GET /v1/memories
    const L = (name: string, qs: string, status = 400, code?: string, extra: Partial<Case> = {}) => add(`list: ${name}`, { method: "GET", path: `/v1/memories${qs}`, status, code, ...extra });
    L("no userId", "");
    L("empty userId", "?userId=");
    L("unknown kind", "?userId=alice&kind=gossip");
    L("kind with empty item", "?userId=alice&kind=fact,,event");
    L("cursor garbage", "?userId=alice&cursor=!!!");
    L("cursor negative", "?userId=alice&cursor=-1");
    L("cursor SQL", "?userId=alice&cursor=1%20OR%201%3D1");
    L("limit zero", "?userId=alice&limit=0");
    L("limit negative", "?userId=alice&limit=-5");
    L("limit text", "?userId=alice&limit=abc");
    L("limit too big", "?userId=alice&limit=1001");
    L("limit fractional", "?userId=alice&limit=1.5");
    L("includeInvalidated=yes", "?userId=alice&includeInvalidated=yes");
    L("unknown param", "?userId=alice&foo=bar");
    L("tenant param", "?userId=alice&tenant=evil");
    L("userId twice", "?userId=alice&userId=bob");
    L("userId SQL", "?userId=%27%20OR%201%3D1--");
    L("userId NUL", "?userId=%00");
    L("userId traversal", "?userId=..%2F..%2Fetc");
    L("no key", "?userId=alice", 401, "UNAUTHORIZED", { key: "none" });
    // --- /v1/memories/{id}
    const G = (name: string, path: string, status: number, code?: string, extra: Partial<Case> = {}) => add(`get: ${name}`, { method: "GET", path, status, code, ...extra });
    G("encoded traversal", "/v1/memories/..%2F..%2Fetc%2Fpasswd", 400, "INVALID_INPUT");
    G("dot-dot (normalised away by the URL parser)", "/v1/memories/%2e%2e", 404, "ROUTE_NOT_FOUND");
    G("space in id", "/v1/memories/a%20b", 400, "INVALID_INPUT");
    G("SQL in id", "/v1/memories/%27%20OR%20%271%27%3D%271", 400, "INVALID_INPUT");
    G("FTS syntax in id", "/v1/memories/NEAR(a%20b)", 400, "INVALID_INPUT");
    G("id too long", `/v1/memories/${"m".repeat(201)}`, 400, "INVALID_INPUT");
    G("bad percent-encoding", "/v1/memories/%E0%A4%A", 400, "INVALID_INPUT");
    G("unknown id", "/v1/memories/mem_doesnotexist", 404, "NOT_FOUND");
    G("other tenant's id", "/v1/memories/{alice}", 404, "NOT_FOUND", { key: "evil" });
    G("other user's id", "/v1/memories/{alice}?userId=bob", 404, "NOT_FOUND");
    G("unknown query param", "/v1/memories/{alice}?foo=1", 400, "INVALID_INPUT");
    G("history of unknown id", "/v1/memories/mem_nope/history", 404, "NOT_FOUND");
    G("history other tenant", "/v1/memories/{bob}/history", 404, "NOT_FOUND", { key: "evil" });
    G("history traversal", "/v1/memories/..%2Fx/history", 400, "INVALID_INPUT");
    G("no key", "/v1/memories/{alice}", 401, "UNAUTHORIZED", { key: "none" });
    // --- PATCH /v1/memories/{id}
    const P = (name: string, body: string, status = 400, code?: string, extra: Partial<Case> = {}) => add(`patch: ${name}`, { method: "PATCH", path: "/v1/memories/{alice}", body, status, code, ...extra });
    P("empty patch", "{}");
    P("text empty", JSON.stringify({ text: "" }));
    P("text too long", JSON.stringify({ text: "t".repeat(10_001) }));
    P("text number", JSON.stringify({ text: 3 }));
    P("kind unknown", JSON.stringify({ kind: "gossip" }));
    P("importance 2", JSON.stringify({ importance: 2 }));
    P("importance negative", JSON.stringify({ importance: -0.1 }));
    P("importance string", JSON.stringify({ importance: "high" }));
    P("expiresAt nonsense", JSON.stringify({ expiresAt: "never" }), 400, "INVALID_DATE");
    P("validFrom Feb 30", JSON.stringify({ validFrom: "2023-02-30" }), 400, "INVALID_DATE");
    P("unknown field", JSON.stringify({ text: "x", strength: 9 }));
    P("tenant field", JSON.stringify({ text: "x", tenant: "evil" }));
    P("userId field", JSON.stringify({ text: "x", userId: "bob" }));
    P("array body", "[]");
    P("invalid JSON", "{text:", 400, "INVALID_JSON");
    P("text/plain", JSON.stringify({ text: "x" }), 415, "UNSUPPORTED_MEDIA_TYPE", { contentType: "text/plain" });
    P("read-only key", JSON.stringify({ text: "x" }), 403, "FORBIDDEN", { key: "read" });
    P("other tenant", JSON.stringify({ text: "hijacked" }), 404, "NOT_FOUND", { key: "evil" });
    add("patch: unknown id", { method: "PATCH", path: "/v1/memories/mem_nope", body: JSON.stringify({ text: "x" }), status: 404, code: "NOT_FOUND" });
    add("patch: traversal id", { method: "PATCH", path: "/v1/memories/..%2F..", body: JSON.stringify({ text: "x" }), status: 400, code: "INVALID_INPUT" });
    // --- DELETE /v1/memories/{id}
    add("forget: unknown id", { method: "DELETE", path: "/v1/memories/mem_nope", status: 404, code: "NOT_FOUND" });
    add("forget: other tenant", { method: "DELETE", path: "/v1/memories/{alice}", key: "evil", status: 404, code: "NOT_FOUND" });
    add("forget: other user", { method: "DELETE", path: "/v1/memories/{alice}?userId=bob", status: 404, code: "NOT_FOUND" });
    add("forget: traversal", { method: "DELETE", path: "/v1/memories/..%2F..%2Fusers%2Falice", status: 400, code: "INVALID_INPUT" });
    add("forget: read-only key", { method: "DELETE", path: "/v1/memories/{alice}", key: "read", status: 403, code: "FORBIDDEN" });
    add("forget: no key", { method: "DELETE", path: "/v1/memories/{alice}", key: "none", status: 401, code: "UNAUTHORIZED" });
    // --- users
    add("erase: unknown user", { method: "DELETE", path: "/v1/users/nobody", status: 404, code: "UNKNOWN_USER" });
    add("erase: other tenant's user", { method: "DELETE", path: "/v1/users/alice", key: "evil", status: 404, code: "UNKNOWN_USER" });
    add("erase: write key (needs admin)", { method: "DELETE", path: "/v1/users/alice", key: "write", status: 403, code: "FORBIDDEN" });
    add("erase: traversal", { method: "DELETE", path: "/v1/users/..%2Falice", status: 400, code: "INVALID_INPUT" });
    add("erase: space", { method: "DELETE", path: "/v1/users/%20", status: 400, code: "INVALID_INPUT" });
    add("export: unknown user", { method: "GET", path: "/v1/users/nobody/export", status: 404, code: "UNKNOWN_USER" });
    add("export: other tenant", { method: "GET", path: "/v1/users/alice/export", key: "evil", status: 404, code: "UNKNOWN_USER" });
    add("export: traversal", { method: "GET", path: "/v1/users/..%2F..%2Fetc/export", status: 400, code: "INVALID_INPUT" });
    // --- POST /v1/import
    const I = (name: string, body: string | Uint8Array, status = 400, code?: string, extra: Partial<Case> = {}) =>
      add(`import: ${name}`, { method: "POST", path: "/v1/import", body, contentType: "application/x-ndjson", status, code, ...extra });
    const header = JSON.stringify({ type: "mnemo-export", version: 1, userId: "carol" });
    I("empty body", "");
    I("not JSON", "hello", 400, "INVALID_JSON");
    I("no header", JSON.stringify({ type: "episode", id: "x" }));
    I("wrong version", JSON.stringify({ type: "mnemo-export", version: 99, userId: "carol" }));
    I("header userId traversal", JSON.stringify({ type: "mnemo-export", version: 1, userId: "../x" }), 400, "INVALID_SCOPE");
    I("bad line", `${header}\n{"type":"memory","id":5}`);
    I("unknown line type", `${header}\n{"type":"virus"}`);
    I("broken line", `${header}\n{not json`, 400, "INVALID_JSON");
    I("JSON content type", header, 415, "UNSUPPORTED_MEDIA_TYPE", { contentType: J });
    I("userId query traversal", header, 400, "INVALID_INPUT", { path: "/v1/import?userId=..%2Fx" });
    I("unknown query param", header, 400, "INVALID_INPUT", { path: "/v1/import?tenant=evil" });
    I("invalid UTF-8", INVALID_UTF8, 400, "INVALID_INPUT");
    // The import route takes up to 64 MiB (an export must re-import); beyond it, 413.
    I("65 MB", `${header}\n${mb(65)}`, 413, "PAYLOAD_TOO_LARGE");
    I("read-only key", header, 403, "FORBIDDEN", { key: "read" });
    // Memory rows whose source episodes are nowhere (not in the file, not in the target user):
    // refused, nothing written. (A whole export of another scope is copied with ids of the
    // importer's own scope; see test/lifecycle-transfer.test.ts.)
    I("another tenant's memory rows only", [aliceExport.split("\n")[0], ...aliceExport.split("\n").filter((l) => l.includes('"type":"memory"')).map((l) => l.replace(/"text":"[^"]*"/, '"text":"pwned"'))].join("\n"), 400, "INVALID_INPUT", { key: "evil" });
    I("memory rows citing unknown episodes", [header, ...aliceExport.split("\n").filter((l) => l.includes('"type":"memory"'))].join("\n"), 400, "INVALID_INPUT");
    // --- routing
    add("route: unknown", { method: "GET", path: "/v1/secrets", status: 404, code: "ROUTE_NOT_FOUND" });
    add("route: raw traversal", { method: "GET", path: "/v1/memories/%2e%2e/%2e%2e/keys", status: 404, code: "ROUTE_NOT_FOUND" });
    add("route: PUT remember", { method: "PUT", path: "/v1/remember", body: rem({}), status: 405, code: "METHOD_NOT_ALLOWED" });
    add("route: PUT memories", { method: "PUT", path: "/v1/memories", body: "{}", status: 405, code: "METHOD_NOT_ALLOWED" });
    add("add: POST memories without kind and text", { method: "POST", path: "/v1/memories", body: "{}", status: 400, code: "INVALID_INPUT" });
    add("route: GET import", { method: "GET", path: "/v1/import", status: 405, code: "METHOD_NOT_ALLOWED" });
    return out;
  };

  it("answers each malformed request with its typed 4xx and changes nothing", async () => {
    const before = await snapshot();
    const table = cases();
    expect(table.length).toBeGreaterThanOrEqual(100);
    const failures: string[] = [];
    for (const c of table) {
      const res = await send(c);
      const text = await res.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      if (res.status >= 500) failures.push(`${c.name}: 5xx ${res.status} ${text.slice(0, 200)}`);
      else if (res.status !== c.status || (c.code !== undefined && code !== c.code) || code === undefined) failures.push(`${c.name}: got ${res.status} ${code ?? text.slice(0, 100)}, want ${c.status} ${c.code ?? ""}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
  }, 120_000);

  it("treats FTS and SQL syntax in queries as plain text (200, no 5xx, nothing leaks)", async () => {
    const before = await snapshot();
    const client = new MnemoClient({ baseUrl: server.url, apiKey: keys.admin });
    const queries = ['"unbalanced', "surf* NEAR(a b) AND OR NOT", "' OR 1=1; DROP TABLE memories; --", "sk:* OR text:*", "^$()[]{}|\\", "\u0000\u0001", "a".repeat(9000), "😀 surfing Lisbon"];
    for (const query of queries) {
      // A user without data: recall must not fail, and reinforcement has nothing to touch.
      const r = await client.recall({ userId: "nobody", query });
      expect(r.results).toEqual([]);
    }
    expect(await snapshot()).toBe(before);
    const evil = new MnemoClient({ baseUrl: server.url, apiKey: keys.evil });
    for (const query of queries) expect((await evil.recall({ userId: "alice", query })).results).toEqual([]);
  });
});
