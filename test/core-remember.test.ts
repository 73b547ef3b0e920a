import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageInput } from "../src/core/types.js";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, fingerprint, ingestLocomo, locomo, openTempMnemo } from "./support/fixtures.js";

const NOW = new Date("2024-01-01T00:00:00Z");
let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => NOW, maxMessageChars: 5000, maxBatchMessages: 50 }));
  await ingestLocomo(mnemo, locomo("conv-26", 3), "conv-26");
});
afterAll(async () => {
  await cleanup();
});

async function allMemoriesOf(userId: string) {
  const out = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await mnemo.store.listMemories({ tenant: "default", userId, includeInvalidated: true, includeForgotten: true, limit: 1000, cursor });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

describe("remember: episodes", () => {
  it("stores every message verbatim with its speaker, role, ids, time, session and metadata", async () => {
    const messages: MessageInput[] = [
      { id: "m-1", speaker: "Caroline", content: "  Hello   there!\n\n*markdown* `code` 😀 — “quotes” \t tabs  ", occurredAt: "2023-05-08T13:56:00Z", sessionId: "s-1", metadata: { source: "chat", n: 1, nested: { a: [1, 2] } } },
      { id: "m-2", speaker: "assistant", role: "assistant", content: "Noted.", attachmentText: "a photo of a dog", occurredAt: "1:57 pm on 8 May, 2023", sessionId: "s-1" },
      { content: "no speaker given", occurredAt: new Date("2023-05-08T14:00:00Z") },
    ];
    const r = await mnemo.remember(messages, { userId: "verbatim" });
    expect(r.episodes.added).toBe(3);
    const eps = await mnemo.store.getEpisodes({ tenant: "default", userId: "verbatim" }, r.episodes.ids);
    expect(eps.map((e) => e.text)).toEqual(messages.map((m) => m.content));
    expect(eps.map((e) => e.externalId)).toEqual(["m-1", "m-2", null]);
    expect(eps.map((e) => e.speaker)).toEqual(["Caroline", "assistant", "user"]);
    expect(eps.map((e) => e.role)).toEqual([null, "assistant", "user"]);
    expect(eps.map((e) => e.occurredAt)).toEqual(["2023-05-08T13:56:00.000Z", "2023-05-08T13:57:00.000Z", "2023-05-08T14:00:00.000Z"]);
    expect(eps.map((e) => e.sessionId)).toEqual(["s-1", "s-1", null]);
    expect(eps[0]!.metadata).toEqual({ source: "chat", n: 1, nested: { a: [1, 2] } });
    expect(eps[1]!.attachmentText).toBe("a photo of a dog");
    expect(eps.every((e) => e.tenant === "default" && e.userId === "verbatim" && e.recordedAt === NOW.toISOString())).toBe(true);
    expect(new Set(eps.map((e) => e.seq)).size).toBe(3);
  });

  it("a message without occurredAt is dated now (the configured clock)", async () => {
    const r = await mnemo.remember([{ speaker: "Jo", content: "Undated remark about gardening tools." }], { userId: "undated" });
    const [e] = await mnemo.store.getEpisodes({ tenant: "default", userId: "undated" }, r.episodes.ids);
    expect(e!.occurredAt).toBe(NOW.toISOString());
  });
});

describe("remember: idempotence", () => {
  it("re-sending the same external ids adds no episode and no memory and changes nothing", async () => {
    const before = await fingerprint(mnemo, ["conv-26"]);
    const genBefore = await mnemo.store.generation({ tenant: "default", userId: "conv-26" });
    const conv = locomo("conv-26", 3);
    for (const s of conv.sessions) {
      const r = await mnemo.remember(s.messages, { userId: "conv-26" });
      expect(r.episodes.added).toBe(0);
      expect(r.episodes.duplicates).toBe(s.messages.length);
      expect(r.episodes.ids).toHaveLength(s.messages.length);
      expect(r.memories).toEqual({ added: 0, updated: 0, invalidated: 0, unchanged: 0 });
    }
    expect(await fingerprint(mnemo, ["conv-26"])).toEqual(before);
    expect(await mnemo.store.generation({ tenant: "default", userId: "conv-26" })).toBe(genBefore);
  });

  it("returns the stored episode ids for duplicates", async () => {
    const msgs = [{ id: "x-1", speaker: "Ann", content: "I bought a red kayak for the summer.", occurredAt: "2023-06-01" }];
    const first = await mnemo.remember(msgs, { userId: "dup-ids" });
    const second = await mnemo.remember(msgs, { userId: "dup-ids" });
    expect(second.episodes.ids).toEqual(first.episodes.ids);
  });

  it("same content without an id dedupes within a session, not across sessions", async () => {
    const u = { userId: "dedupe" };
    const msg = { speaker: "Ann", content: "I adopted a grey cat named Pixel.", occurredAt: "2023-06-01T10:00:00Z" };
    expect((await mnemo.remember([{ ...msg, sessionId: "s1" }], u)).episodes.added).toBe(1);
    const again = await mnemo.remember([{ ...msg, sessionId: "s1" }], u);
    expect(again.episodes).toMatchObject({ added: 0, duplicates: 1 });
    expect(again.memories).toEqual({ added: 0, updated: 0, invalidated: 0, unchanged: 0 });
    expect((await mnemo.remember([{ ...msg, sessionId: "s2" }], u)).episodes.added).toBe(1);
    // Within one batch both are kept: a batch is what was said (issue #11 item 7); its retry adds nothing.
    const batch = await mnemo.remember([{ ...msg, sessionId: "s3" }, { ...msg, sessionId: "s3" }], u);
    expect(batch.episodes).toMatchObject({ added: 2, duplicates: 0 });
    expect((await mnemo.remember([{ ...msg, sessionId: "s3" }, { ...msg, sessionId: "s3" }], u)).episodes).toMatchObject({ added: 0, duplicates: 2 });
    expect((await mnemo.stats({ userId: "dedupe" })).episodes).toBe(4);
  });

  it("the same external id in another user's scope is a different episode", async () => {
    const m = [{ id: "shared-1", speaker: "Ann", content: "My favourite colour is teal.", occurredAt: "2023-06-01" }];
    expect((await mnemo.remember(m, { userId: "ext-a" })).episodes.added).toBe(1);
    expect((await mnemo.remember(m, { userId: "ext-b" })).episodes.added).toBe(1);
  });
});

describe("remember: malformed input is rejected with a typed error and writes nothing", () => {
  const good = (i: number): MessageInput => ({ id: `good-${i}`, speaker: "Caroline", content: `I planted ${i} tomato seedlings in the garden today.`, occurredAt: "2023-05-08T10:00:00Z" });
  const cases: Array<[string, unknown, unknown, string]> = [
    ["messages is a string", "hello", { userId: "conv-26" }, "INVALID_INPUT"],
    ["messages is an object", { content: "hi" }, { userId: "conv-26" }, "INVALID_INPUT"],
    ["messages is null", null, { userId: "conv-26" }, "INVALID_INPUT"],
    ["content is a number", [{ content: 42 }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["content is missing", [{ speaker: "Ann" }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["content is empty", [{ content: "" }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["content is blank", [{ content: "  \n\t " }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["content exceeds maxMessageChars", [{ content: "x".repeat(5001) }], { userId: "conv-26" }, "PAYLOAD_TOO_LARGE"],
    ["content + attachment exceed maxMessageChars", [{ content: "x".repeat(3000), attachmentText: "y".repeat(2001) }], { userId: "conv-26" }, "PAYLOAD_TOO_LARGE"],
    ["batch exceeds maxBatchMessages", Array.from({ length: 51 }, (_, i) => good(i)), { userId: "conv-26" }, "PAYLOAD_TOO_LARGE"],
    ["impossible calendar date", [{ content: "I went out.", occurredAt: "2023-02-30" }], { userId: "conv-26" }, "INVALID_DATE"],
    ["unparseable date", [{ content: "I went out.", occurredAt: "yesterday-ish" }], { userId: "conv-26" }, "INVALID_DATE"],
    ["empty date", [{ content: "I went out.", occurredAt: "" }], { userId: "conv-26" }, "INVALID_DATE"],
    ["date of the wrong type", [{ content: "I went out.", occurredAt: 1683540000 }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["unknown message field", [{ content: "I went out.", foo: 1 }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["scope smuggled as a message field", [{ content: "I went out.", userId: "other" }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["empty speaker", [{ content: "I went out.", speaker: "" }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["empty id", [{ content: "I went out.", id: "" }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["metadata not an object", [{ content: "I went out.", metadata: "x" }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["metadata not JSON-serialisable", [{ content: "I went out.", metadata: { n: 10n } }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["metadata larger than maxMessageChars", [{ content: "I went out.", metadata: { blob: "z".repeat(6000) } }], { userId: "conv-26" }, "PAYLOAD_TOO_LARGE"],
    ["userId with a path", [good(1)], { userId: "../etc" }, "INVALID_SCOPE"],
    ["empty userId", [good(1)], { userId: "" }, "INVALID_SCOPE"],
    ["userId with spaces", [good(1)], { userId: "a b" }, "INVALID_SCOPE"],
    ["userId too long", [good(1)], { userId: "u".repeat(201) }, "INVALID_SCOPE"],
    ["missing userId", [good(1)], {}, "INVALID_SCOPE"],
    ["userId not a string", [good(1)], { userId: 7 }, "INVALID_SCOPE"],
    ["empty tenant", [good(1)], { userId: "conv-26", tenant: "" }, "INVALID_SCOPE"],
    ["scope missing", [good(1)], undefined, "INVALID_SCOPE"],
    ["one bad date among good messages", [good(1), good(2), { ...good(3), occurredAt: "2023-13-01" }, good(4)], { userId: "conv-26" }, "INVALID_DATE"],
    ["one bad message at the end of a good batch", [good(5), good(6), { content: 5 }], { userId: "conv-26" }, "INVALID_INPUT"],
    ["one oversized message in a good batch", [good(7), { content: "x".repeat(5001) }, good(8)], { userId: "conv-26" }, "PAYLOAD_TOO_LARGE"],
  ];

  for (const [name, messages, scope, code] of cases) {
    it(name, async () => {
      const users = ["conv-26", "verbatim"];
      const before = await fingerprint(mnemo, users);
      const genBefore = await mnemo.store.generation({ tenant: "default", userId: "conv-26" });
      await expectCode(mnemo.remember(messages as MessageInput[], scope as { userId: string }), code as never);
      expect(await fingerprint(mnemo, users)).toEqual(before);
      expect(await mnemo.store.generation({ tenant: "default", userId: "conv-26" })).toBe(genBefore);
      expect(await mnemo.store.findEpisodes({ tenant: "default", userId: "conv-26" }, { externalIds: ["good-1", "good-4", "good-5", "good-7"], hashes: [] })).toEqual([]);
    });
  }
});

describe("remember: scope", () => {
  it("metadata cannot set the scope: it is stored as metadata, the rows belong to the call's scope", async () => {
    const meta = { userId: "other", tenant: "x", agentId: "evil", sessionId: "hijack" };
    const r = await mnemo.remember([{ id: "sc-1", speaker: "Nadia", content: "I keep my spare key under the blue flowerpot.", occurredAt: "2023-04-01", metadata: meta }], { userId: "owner" });
    const [e] = await mnemo.store.getEpisodes({ tenant: "default", userId: "owner" }, r.episodes.ids);
    expect(e).toMatchObject({ tenant: "default", userId: "owner", agentId: null, sessionId: null, metadata: meta });
    const mems = await allMemoriesOf("owner");
    expect(mems.length).toBeGreaterThan(0);
    expect(mems.every((m) => m.tenant === "default" && m.userId === "owner")).toBe(true);
    expect(await mnemo.store.listUsers("x")).toEqual([]);
    expect(await mnemo.store.listUsers("default")).not.toContain("other");
    const mine = await mnemo.recall("Where is the spare key?", { userId: "owner", reinforce: false });
    expect(mine.context).toContain("flowerpot");
    const theirs = await mnemo.recall("Where is the spare key?", { userId: "other", reinforce: false });
    expect(theirs.results).toEqual([]);
    expect(theirs.context).not.toContain("flowerpot");
    const otherTenant = await mnemo.recall("Where is the spare key?", { userId: "other", tenant: "x", reinforce: false });
    expect(otherTenant.results).toEqual([]);
  });
});

describe("remember: memories", () => {
  it("resolves relative dates against the message time ('yesterday' said on 8 May 2023 → 7 May 2023)", async () => {
    await mnemo.remember([{ id: "rd-1", speaker: "Caroline", content: "I went to a support group yesterday.", occurredAt: "2023-05-08T13:56:00Z" }], { userId: "reldate" });
    const mems = await allMemoriesOf("reldate");
    const m = mems.find((x) => /support group/.test(x.text));
    expect(m, JSON.stringify(mems.map((x) => x.text))).toBeDefined();
    // The speaker's words stay; the resolved date is annotated after them, not spliced in.
    expect(m!.text).toContain("yesterday [= 7 May 2023]");
    expect(m!.validFrom).toBe("2023-05-07T00:00:00.000Z");
    expect(m!.observedAt).toBe("2023-05-08T13:56:00.000Z");
  });

  it("resolves relative dates in the LoCoMo slice (D1:3 → 7 May 2023)", async () => {
    const [ep] = await mnemo.store.findEpisodes({ tenant: "default", userId: "conv-26" }, { externalIds: ["D1:3"], hashes: [] });
    const m = (await allMemoriesOf("conv-26")).find((x) => x.sources.includes(ep!.id) && x.kind !== "summary");
    expect(m!.text).toContain("7 May 2023");
    expect(m!.validFrom).toBe("2023-05-07T00:00:00.000Z");
  });

  it("attributes first-person statements to the speaker", async () => {
    await mnemo.remember(
      [
        { id: "sp-1", speaker: "Caroline", content: "I adopted a puppy named Biscuit last week.", occurredAt: "2023-05-08T10:00:00Z", sessionId: "s" },
        { id: "sp-2", speaker: "Melanie", content: "I signed up for a pottery class at the community center.", occurredAt: "2023-05-08T10:01:00Z", sessionId: "s" },
      ],
      { userId: "speakers" },
    );
    const mems = (await allMemoriesOf("speakers")).filter((m) => m.kind !== "summary");
    const biscuit = mems.find((m) => m.text.includes("Biscuit"))!;
    const pottery = mems.find((m) => m.text.includes("pottery"))!;
    // Kept in the speaker's words, under the speaker's name.
    expect(biscuit.text).toMatch(/^Caroline: I adopted/);
    expect(biscuit.text).not.toContain("Melanie");
    expect(biscuit.subject).toBe("Caroline");
    expect(pottery.text).toMatch(/^Melanie: I signed up/);
    expect(pottery.text).not.toContain("Caroline");
    expect(pottery.subject).toBe("Melanie");
  });

  it("merges an alias with the full name ('Mel' and 'Melanie' → one entity)", async () => {
    const conv = locomo("conv-26", 1);
    const ents = await mnemo.entities({ userId: "conv-26" });
    const mel = ents.filter((e) => [e.name, ...e.aliases].some((n) => /^mel(anie)?$/i.test(n)));
    expect(mel).toHaveLength(1);
    expect([mel[0]!.name, ...mel[0]!.aliases].sort()).toEqual(["Mel", "Melanie"]);
    expect(mel[0]!.type).toBe("person");
    expect(conv.speakers).toContain("Melanie");
  });

  it("merges the alias whichever name comes first", async () => {
    const u = { userId: "alias-order" };
    await mnemo.remember([{ id: "a1", speaker: "Caroline", content: "I saw Mel at the park with her kids today.", occurredAt: "2023-05-01" }], u);
    await mnemo.remember([{ id: "a2", speaker: "Melanie", content: "I took my kids to the science museum on Sunday.", occurredAt: "2023-05-02" }], u);
    const ents = await mnemo.entities(u);
    const mel = ents.filter((e) => [e.name, ...e.aliases].some((n) => /^mel(anie)?$/i.test(n)));
    expect(mel).toHaveLength(1);
    expect([mel[0]!.name, ...mel[0]!.aliases].sort()).toEqual(["Mel", "Melanie"]);
  });

  it("every memory has at least one source, and every source is an episode of the same scope", async () => {
    for (const userId of ["conv-26", "speakers", "reldate", "owner"]) {
      const key = { tenant: "default", userId };
      const episodeIds = new Set((await mnemo.store.listEpisodes(key)).map((e) => e.id));
      const mems = await allMemoriesOf(userId);
      expect(mems.length).toBeGreaterThan(0);
      for (const m of mems) {
        expect(m.sources.length, m.text).toBeGreaterThan(0);
        for (const s of m.sources) expect(episodeIds.has(s), `${m.text}: ${s}`).toBe(true);
      }
    }
  });

  it("reports what it did: added episodes, segments, entities and memory counts", async () => {
    const conv = locomo("conv-26", 1);
    const r = await mnemo.remember(conv.sessions[0]!.messages, { userId: "report" });
    expect(r.episodes.added).toBe(conv.sessions[0]!.messages.length);
    expect(r.segments).toBeGreaterThan(0);
    expect(r.entities).toBeGreaterThan(0);
    expect(r.memories.added).toBeGreaterThan(0);
    const stats = await mnemo.stats({ userId: "report" });
    expect(stats.episodes).toBe(r.episodes.added);
    expect(stats.segments).toBe(r.segments);
    expect(stats.memories).toBeGreaterThan(0);
  });
});
