import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Memory } from "../src/core/types.js";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, ingestLocomo, locomo, openTempMnemo } from "./support/fixtures.js";

const U = { userId: "conv-26" };
let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
  await ingestLocomo(mnemo, locomo("conv-26", 3), U.userId);
  await mnemo.remember([{ id: "t2-1", speaker: "Zed", content: "I keep bees on the roof of my apartment building.", occurredAt: "2023-01-01" }], { userId: "conv-26", tenant: "t2" });
});
afterAll(async () => {
  await cleanup();
});

const QUESTIONS = ["When did Caroline go to the LGBTQ support group?", "What did Caroline research?", "support group", "Caroline LGBTQ powerful", "What happened on 7 May 2023?"];

async function everRecalled(id: string, userId = U.userId): Promise<boolean> {
  for (const q of QUESTIONS) {
    for (const budgetTokens of [200, 4000]) {
      const r = await mnemo.recall(q, { userId, budgetTokens, reinforce: false });
      if (r.results.some((x) => x.id === id)) return true;
    }
  }
  return false;
}

describe("forget", () => {
  let target: Memory;

  beforeAll(async () => {
    const r = await mnemo.recall("When did Caroline go to the LGBTQ support group?", { ...U, reinforce: false });
    // The memory distilled from D1:3 (it may rank below its own verbatim turn now that it keeps the speaker's words).
    const hit = r.results.find((x) => x.type === "memory" && x.sources.includes("D1:3"));
    const [ep] = await mnemo.store.findEpisodes({ tenant: "default", ...U }, { externalIds: ["D1:3"], hashes: [] });
    const id = hit?.id ?? (await mnemo.memories({ ...U, limit: 1000 })).items.find((m) => m.kind !== "summary" && m.sources.includes(ep!.id))!.id;
    target = await mnemo.memory(id, U);
  });

  it("the memory is never recalled afterwards, but stays readable and in history", async () => {
    expect(await everRecalled(target.id)).toBe(true);
    const f = await mnemo.forget(target.id, U);
    expect(f.forgottenAt).toBe("2023-07-01T00:00:00.000Z");
    expect(f.version).toBe(target.version + 1);
    expect(await everRecalled(target.id)).toBe(false);
    for (const kinds of [["event"], ["fact", "event", "preference", "profile", "instruction", "summary"]] as const) {
      const r = await mnemo.recall("When did Caroline go to the LGBTQ support group?", { ...U, reinforce: false, kinds: [...kinds], asOf: "2023-06-01" });
      expect(r.results.map((x) => x.id)).not.toContain(target.id);
    }
    const again = await mnemo.memory(target.id, U);
    expect(again.forgottenAt).not.toBeNull();
    expect(again.text).toBe(target.text);
    const h = await mnemo.history(target.id, U);
    expect(h.at(-1)).toMatchObject({ op: "forget", version: target.version + 1, text: target.text });
    expect(h[0]!.op).toBe("add");
    const listed = (await mnemo.memories({ ...U, limit: 1000 })).items.map((m) => m.id);
    expect(listed).not.toContain(target.id);
  });

  it("forgetting twice is a no-op", async () => {
    const before = await mnemo.history(target.id, U);
    const f = await mnemo.forget(target.id, U);
    expect(f.forgottenAt).not.toBeNull();
    expect(await mnemo.history(target.id, U)).toEqual(before);
  });

  it("an unknown id, another user's id or another tenant's id is NOT_FOUND", async () => {
    await expectCode(mnemo.forget("mem_does_not_exist", U), "NOT_FOUND");
    await expectCode(mnemo.memory("mem_does_not_exist", U), "NOT_FOUND");
    const theirs = (await mnemo.memories({ userId: "conv-26", tenant: "t2" })).items[0]!;
    await expectCode(mnemo.forget(theirs.id, U), "NOT_FOUND");
    await expectCode(mnemo.forget(theirs.id), "NOT_FOUND");
    await expectCode(mnemo.memory(theirs.id, U), "NOT_FOUND");
    await expectCode(mnemo.update(theirs.id, { text: "hijacked" }, U), "NOT_FOUND");
    await expectCode(mnemo.history(theirs.id, U), "NOT_FOUND");
    const mine = (await mnemo.memories({ ...U, limit: 1 })).items[0]!;
    await expectCode(mnemo.forget(mine.id, { userId: "someone-else" }), "NOT_FOUND");
    await expectCode(mnemo.forget("", U), "INVALID_INPUT");
    expect((await mnemo.memory(theirs.id, { userId: "conv-26", tenant: "t2" })).forgottenAt).toBeNull();
  });

  it("a forgotten profile fact is not recalled through the person's profile summary either", async () => {
    const u = { userId: "profile-forget" };
    await mnemo.remember(
      [
        { id: "p1", speaker: "Caroline", content: "I work as a counselor at Lakeside School.", occurredAt: "2023-01-01" },
        { id: "p2", speaker: "Caroline", content: "I love hiking in the Rocky Mountains.", occurredAt: "2023-01-02" },
      ],
      u,
    );
    const mems = (await mnemo.memories(u)).items;
    const job = mems.find((m) => m.text.includes("Lakeside") && m.kind !== "summary")!;
    const summary = mems.find((m) => m.kind === "summary")!;
    expect(summary.text).toContain("Lakeside");
    await mnemo.forget(job.id, u);
    for (const q of ["Where does Caroline work?", "Lakeside School counselor", "Tell me about Caroline"]) {
      const r = await mnemo.recall(q, { ...u, reinforce: false, includeEpisodes: false });
      expect(r.context, q).not.toContain("Lakeside");
    }
    const s = await mnemo.memory(summary.id, u);
    expect(s.text).not.toContain("Lakeside");
    expect(s.text).toContain("Rocky Mountains");
    expect((await mnemo.history(summary.id, u)).map((h) => h.text)).toContain(summary.text);
  });

  it("a summary left without facts is forgotten with its last fact", async () => {
    const u = { userId: "profile-forget-last" };
    await mnemo.remember([{ id: "p1", speaker: "Caroline", content: "I work as a counselor at Lakeside School.", occurredAt: "2023-01-01" }], u);
    const mems = (await mnemo.memories(u)).items;
    const job = mems.find((m) => m.kind !== "summary")!;
    const summary = mems.find((m) => m.kind === "summary")!;
    await mnemo.forget(job.id, u);
    expect((await mnemo.memory(summary.id, u)).forgottenAt).not.toBeNull();
    const r = await mnemo.recall("Where does Caroline work?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.context).not.toContain("Lakeside");
  });

  it("BUG profiles: a forgotten profile summary is un-forgotten by the next remember", async () => {
    const u = { userId: "summary-resurrect" };
    await mnemo.remember([{ id: "p1", speaker: "Caroline", content: "I work as a counselor at Lakeside School.", occurredAt: "2023-01-01" }], u);
    const summary = (await mnemo.memories(u)).items.find((m) => m.kind === "summary")!;
    await mnemo.forget(summary.id, u);
    await mnemo.remember([{ id: "p2", speaker: "Caroline", content: "I love hiking in the Rocky Mountains.", occurredAt: "2023-01-02" }], u);
    expect((await mnemo.memory(summary.id, u)).forgottenAt).not.toBeNull();
    const r = await mnemo.recall("Caroline", { ...u, reinforce: false, kinds: ["summary"] });
    expect(r.results.map((x) => x.id)).not.toContain(summary.id);
  });
});

describe("update (patch)", () => {
  it("keeps the old version in history and recalls the new text", async () => {
    const u = { userId: "patch" };
    await mnemo.remember([{ id: "x1", speaker: "Caroline", content: "I have a cat named Oscar who loves tuna.", occurredAt: "2023-02-01" }], u);
    const m = (await mnemo.memories(u)).items.find((x) => x.text.includes("Oscar") && x.kind !== "summary")!;
    const p = await mnemo.update(m.id, { text: "Caroline has a cat named Oliver who loves salmon.", importance: 0.9, kind: "fact", validFrom: "2023-01-15" }, u);
    expect(p).toMatchObject({ id: m.id, text: "Caroline has a cat named Oliver who loves salmon.", importance: 0.9, kind: "fact", validFrom: "2023-01-15T00:00:00.000Z", version: m.version + 1 });
    expect(p.sources).toEqual(m.sources);
    expect(await mnemo.memory(m.id, u)).toEqual(p);
    const h = await mnemo.history(m.id, u);
    expect(h.map((x) => [x.op, x.text])).toEqual([
      ["add", m.text],
      ["patch", p.text],
    ]);
    const r = await mnemo.recall("What is the name of Caroline's cat?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.context).toContain("Oliver");
    expect(r.context).not.toContain("Oscar");
  });

  it("a corrected profile fact is corrected in the person's profile summary too", async () => {
    const u = { userId: "patch-summary" };
    await mnemo.remember(
      [
        { id: "x1", speaker: "Caroline", content: "I work as a counselor at Lakeside School.", occurredAt: "2023-02-01" },
        { id: "x2", speaker: "Caroline", content: "I love hiking in the Rocky Mountains.", occurredAt: "2023-02-02" },
      ],
      u,
    );
    const mems = (await mnemo.memories(u)).items;
    const job = mems.find((x) => x.text.includes("Lakeside") && x.kind !== "summary")!;
    const summary = mems.find((x) => x.kind === "summary")!;
    await mnemo.update(job.id, { text: "Caroline works as a counselor at Brookfield School." }, u);
    const s = await mnemo.memory(summary.id, u);
    expect(s.forgottenAt).toBeNull();
    expect(s.text).toContain("Brookfield");
    expect(s.text).not.toContain("Lakeside");
    expect(s.text).toContain("Rocky Mountains");
    const r = await mnemo.recall("Where does Caroline work?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.context).toContain("Brookfield");
    expect(r.context).not.toContain("Lakeside");
    // Patching only the importance leaves the summary text as it is.
    const before = await mnemo.memory(summary.id, u);
    await mnemo.update(job.id, { importance: 0.1 }, u);
    expect((await mnemo.memory(summary.id, u)).text).toBe(before.text);
  });

  it("an expiry in the past hides the memory from recall", async () => {
    const u = { userId: "expire" };
    // (A door code would be redacted at ingest, docs/SECURITY.md: a locker number is not a credential.)
    await mnemo.remember([{ id: "x1", speaker: "Caroline", content: "My locker number is 4512 this month.", occurredAt: "2023-02-01" }], u);
    const m = (await mnemo.memories(u)).items.find((x) => x.text.includes("4512"))!;
    await mnemo.update(m.id, { expiresAt: "2023-03-01" }, u);
    const r = await mnemo.recall("What is the locker number?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.results.map((x) => x.id)).not.toContain(m.id);
    const before = await mnemo.recall("What is the locker number?", { ...u, reinforce: false, includeEpisodes: false, asOf: "2023-02-15" });
    expect(before.results.map((x) => x.id)).toContain(m.id);
  });

  it("rejects invalid patches and leaves the memory unchanged", async () => {
    const u = { userId: "patch" };
    const m = (await mnemo.memories(u)).items[0]!;
    await expectCode(mnemo.update(m.id, { text: "   " }, u), "INVALID_INPUT");
    await expectCode(mnemo.update(m.id, { text: "x".repeat(10_001) }, u), "INVALID_INPUT");
    await expectCode(mnemo.update(m.id, { kind: "gossip" as never }, u), "INVALID_INPUT");
    await expectCode(mnemo.update(m.id, { importance: 2 }, u), "INVALID_INPUT");
    await expectCode(mnemo.update(m.id, { expiresAt: "2023-02-30" }, u), "INVALID_DATE");
    await expectCode(mnemo.update(m.id, { validFrom: "whenever" }, u), "INVALID_DATE");
    expect(await mnemo.memory(m.id, u)).toEqual(m);
  });
});
