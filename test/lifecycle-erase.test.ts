import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, exportText, ingestLocomo, locomo, openTempMnemo } from "./support/fixtures.js";

const ZERO = { episodes: 0, memories: 0, entities: 0, segments: 0, users: 0, vectors: 0 };
let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
  const conv = locomo("conv-26", 2);
  await ingestLocomo(mnemo, conv, "victim");
  await ingestLocomo(mnemo, conv, "bystander");
  await ingestLocomo(mnemo, conv, "victim", "other-tenant");
});
afterAll(async () => {
  await cleanup();
});

describe("erase", () => {
  it("removes everything of the user and nothing of anyone else", async () => {
    const bystanderBefore = await exportText(mnemo, "bystander");
    const bystanderStats = await mnemo.stats({ tenant: "default", userId: "bystander" });
    const otherTenantBefore = await exportText(mnemo, "victim", "other-tenant");
    const victimStats = await mnemo.stats({ tenant: "default", userId: "victim" });
    const aMemory = (await mnemo.memories({ userId: "victim" })).items[0]!;
    const q = "When did Caroline go to the LGBTQ support group?";
    expect((await mnemo.recall(q, { userId: "victim" })).results.length).toBeGreaterThan(0);

    const r = await mnemo.erase({ userId: "victim" });
    expect(r.episodes).toBe(victimStats.episodes);
    expect(r.entities).toBe(victimStats.entities);
    expect(r.memories).toBeGreaterThanOrEqual(victimStats.memories);

    expect(await mnemo.stats({ tenant: "default", userId: "victim" })).toEqual(ZERO);
    expect(await mnemo.users()).toEqual(["bystander"]);
    expect(await mnemo.entities({ userId: "victim" })).toEqual([]);
    expect((await mnemo.memories({ userId: "victim", includeInvalidated: true })).items).toEqual([]);
    await expectCode(mnemo.memory(aMemory.id, { userId: "victim" }), "NOT_FOUND");
    await expectCode(mnemo.history(aMemory.id), "NOT_FOUND");
    await expectCode(exportText(mnemo, "victim"), "UNKNOWN_USER");
    expect((await mnemo.recall(q, { userId: "victim" })).results).toEqual([]);

    expect(await exportText(mnemo, "bystander")).toBe(bystanderBefore);
    expect(await mnemo.stats({ tenant: "default", userId: "bystander" })).toEqual(bystanderStats);
    expect(await exportText(mnemo, "victim", "other-tenant")).toBe(otherTenantBefore);
    expect((await mnemo.recall(q, { userId: "victim", tenant: "other-tenant", reinforce: false })).results.length).toBeGreaterThan(0);
  });

  it("an unknown user (or a second erase) is UNKNOWN_USER and changes nothing", async () => {
    const before = await mnemo.stats();
    await expectCode(mnemo.erase({ userId: "victim" }), "UNKNOWN_USER");
    await expectCode(mnemo.erase({ userId: "never-existed" }), "UNKNOWN_USER");
    await expectCode(mnemo.erase({ userId: "bystander", tenant: "no-such-tenant" }), "UNKNOWN_USER");
    await expectCode(mnemo.erase({ userId: "../etc" }), "INVALID_SCOPE");
    expect(await mnemo.stats()).toEqual(before);
  });

  it("an erased user can start again from scratch", async () => {
    const r = await mnemo.remember([{ id: "D1:3", speaker: "Caroline", content: "I started learning the cello this spring.", occurredAt: "2023-06-01" }], { userId: "victim" });
    // The old external id is gone, so the message is new, not a duplicate.
    expect(r.episodes.added).toBe(1);
    const rec = await mnemo.recall("What is Caroline learning?", { userId: "victim", reinforce: false });
    expect(rec.context).toContain("cello");
    expect(rec.context).not.toMatch(/support group|LGBTQ/);
    expect((await mnemo.stats({ tenant: "default", userId: "victim" })).episodes).toBe(1);
  });
});
