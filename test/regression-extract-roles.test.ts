/**
 * Ingestion that knows who said what (#8 §2): `role` messages are first-class. "I" in a
 * user turn is the scope's person (`userName`, default the userId); assistant turns stay
 * episodes, never facts about the user; system prompts are not memories; tool output is
 * content, never the user's claim; single-valued slots are per subject.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Memory } from "../src/core/types.js";
import { run } from "../src/cli/main.js";
import { Mnemo } from "../src/mnemo.js";
import { expectCode, openTempMnemo, tempDir } from "./support/fixtures.js";

let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2024-08-01T00:00:00Z") }));
});
afterAll(async () => {
  await cleanup();
});

async function all(userId: string, includeInvalidated = false): Promise<Memory[]> {
  return (await mnemo.memories({ userId, limit: 500, includeInvalidated })).items;
}

describe("regression: role messages", () => {
  const U = { userId: "alice" };
  beforeAll(async () => {
    await mnemo.remember(
      [
        { id: "r0", role: "system", content: "You are a helpful assistant. Always answer briefly.", occurredAt: "2024-03-01T09:00:00Z" },
        { id: "r1", role: "user", content: "I live in Boston and I work as a nurse.", occurredAt: "2024-03-01T09:01:00Z" },
        { id: "r2", role: "assistant", content: "Mochi is a cute name! I recommend the Harborwalk for a long walk with a dog.", occurredAt: "2024-03-01T09:02:00Z" },
        { id: "r3", role: "tool", content: "Weather for Boston tomorrow: 21 degrees and sunny.", occurredAt: "2024-03-01T09:03:00Z" },
      ],
      U,
    );
  });

  it("a user turn's 'I' is the user (display name defaults to the userId); no person called 'user'", async () => {
    const ms = await all("alice");
    const boston = ms.find((m) => m.kind !== "summary" && m.text.includes("Boston") && m.sources.length === 1 && m.text.startsWith("alice:"));
    expect(boston, ms.map((m) => m.text).join("\n")).toBeDefined();
    expect(boston!.subject).toBe("alice");
    expect(boston!.slot).toBe("alice|lives_in");
    expect(ms.some((m) => /\buser\b/.test(m.text))).toBe(false);
    const ents = await mnemo.entities(U);
    expect(ents.map((e) => e.name.toLowerCase())).not.toContain("user");
    expect(ents.map((e) => e.name.toLowerCase())).not.toContain("assistant");
    expect(ents.find((e) => e.name === "alice")?.type).toBe("person");
  });

  it("assistant replies and the system prompt become no memory, but the reply is still recallable as an episode", async () => {
    const ms = await all("alice");
    expect(ms.some((m) => /Mochi|Harborwalk|helpful assistant|answer briefly/.test(m.text))).toBe(false);
    const r = await mnemo.recall("What did you recommend for a walk?", { ...U, reinforce: false });
    expect(r.context).toContain("Harborwalk");
    expect(r.results.find((x) => x.text.includes("Harborwalk"))!.type).toBe("episode");
  });

  it("tool output is content with no subject, never the user's claim", async () => {
    const ms = await all("alice");
    const tool = ms.find((m) => m.text.includes("21 degrees"))!;
    expect(tool.subject).toBeNull();
    expect(tool.slot).toBeNull();
    expect(tool.text).toMatch(/^tool output:/);
  });

  it("the profile summary of the user holds the user's facts only", async () => {
    const ms = await all("alice");
    const profile = ms.find((m) => m.kind === "summary" && m.subject === "alice")!;
    expect(profile.text).toContain("nurse");
    expect(profile.text).not.toMatch(/Mochi|sunny|assistant/);
  });

  it("userName (per call) names the user; the option sets a default", async () => {
    await mnemo.remember([{ role: "user", content: "I moved to Lisbon last month." }], { userId: "u-42", userName: "Alice" });
    const ms = await all("u-42");
    const lisbon = ms.find((m) => m.kind !== "summary" && m.text.includes("Lisbon"))!;
    expect(lisbon.text).toMatch(/^Alice: I moved to Lisbon last month \[= July 2024\]/);
    expect(lisbon.slot).toBe("alice|lives_in");
    const withOption = await openTempMnemo({ userName: "Bea", now: () => new Date("2024-08-01T00:00:00Z") });
    try {
      await withOption.mnemo.remember([{ role: "user", content: "I work as a pilot." }], { userId: "u-7" });
      const m = (await withOption.mnemo.memories({ userId: "u-7", limit: 10 })).items.find((x) => x.kind !== "summary" && x.text.includes("pilot"))!;
      expect(m.subject).toBe("Bea");
    } finally {
      await withOption.cleanup();
    }
  });

  it("a blank userName is INVALID_INPUT and writes nothing", async () => {
    await expectCode(mnemo.remember([{ role: "user", content: "I like tea." }], { userId: "blank-name", userName: "  " }), "INVALID_INPUT");
    expect(await mnemo.store.listUsers("default")).not.toContain("blank-name");
    const t = tempDir("mnemo-roles-opt-");
    try {
      await expectCode(() => Mnemo.open({ path: join(t.dir, "x.db"), userName: "" }), "INVALID_CONFIG");
    } finally {
      t.cleanup();
    }
  });

  it("invalidation works in role mode (Boston → Denver, one turn at a time)", async () => {
    const u = { userId: "mover" };
    await mnemo.remember([{ id: "m1", role: "user", content: "I live in Boston.", occurredAt: "2024-01-05T10:00:00Z" }], u);
    await mnemo.remember([{ id: "m2", role: "assistant", content: "Boston is lovely in spring!", occurredAt: "2024-01-05T10:00:05Z" }], u);
    await mnemo.remember([{ id: "m3", role: "user", content: "I moved to Denver last week.", occurredAt: "2024-05-10T10:00:00Z" }], u);
    const ms = await all("mover", true);
    const boston = ms.find((m) => m.kind !== "summary" && m.text.includes("I live in Boston"))!;
    expect(boston.invalidatedAt).not.toBeNull();
    const r = await mnemo.recall("Where does mover live now?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.context).toContain("Denver");
    expect(r.context).not.toContain("I live in Boston");
  });

  it("named speakers (LoCoMo style) keep working: each speaker's 'I' is themself", async () => {
    await mnemo.remember(
      [
        { id: "n1", speaker: "Caroline", content: "I moved to Boston last month.", occurredAt: "2023-05-08T10:00:00Z", sessionId: "s" },
        { id: "n2", speaker: "Melanie", content: "I work as a teacher in Vermont.", occurredAt: "2023-05-08T10:01:00Z", sessionId: "s" },
      ],
      { userId: "named" },
    );
    const ms = await all("named");
    expect(ms.find((m) => m.text.startsWith("Caroline: I moved to Boston"))!.slot).toBe("caroline|lives_in");
    expect(ms.find((m) => m.text.startsWith("Melanie: I work as a teacher"))!.slot).toBe("melanie|job");
  });

  it("`mnemo remember --user alice \"I moved to Lisbon last month\"` stores a memory about alice, not 'user'", async () => {
    const t = tempDir("mnemo-roles-cli-");
    try {
      const db = join(t.dir, "cli.db");
      const cli = async (...args: string[]) => {
        let stdout = "";
        let stderr = "";
        const status = await run(["node", "mnemo", "--db", db, "--json", ...args], { stdout: { write: (x: string) => ((stdout += x), true) }, stderr: { write: (x: string) => ((stderr += x), true) } });
        return { status, stdout, stderr };
      };
      const added = await cli("remember", "--user", "alice", "--at", "2024-04-02T10:00:00Z", "I moved to Lisbon last month");
      expect(added.status, added.stderr).toBe(0);
      const listed = await cli("memories", "list", "--user", "alice");
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toContain("alice: I moved to Lisbon last month [= March 2024]");
      expect(listed.stdout).not.toMatch(/\buser (moved|is)\b/);
      const named = await cli("remember", "--user", "u-9", "--user-name", "Alice", "--at", "2024-04-02T10:00:00Z", "I work as a pilot.");
      expect(named.status, named.stderr).toBe(0);
      expect((await cli("memories", "list", "--user", "u-9")).stdout).toContain("Alice: I work as a pilot.");
    } finally {
      t.cleanup();
    }
  }, 60_000);
});

describe("regression: single-valued slots are per subject", () => {
  it("'My boss Karen lives in Dallas.' does not invalidate 'I live in Boston.'", async () => {
    const u = { userId: "boss" };
    await mnemo.remember([{ id: "b1", role: "user", content: "I live in Boston.", occurredAt: "2024-01-01T10:00:00Z" }], u);
    await mnemo.remember([{ id: "b2", role: "user", content: "My boss Karen lives in Dallas.", occurredAt: "2024-02-01T10:00:00Z" }], u);
    const ms = await all("boss", true);
    const boston = ms.find((m) => m.kind !== "summary" && m.text.includes("Boston"))!;
    const dallas = ms.find((m) => m.kind !== "summary" && m.text.includes("Dallas"))!;
    expect(boston.invalidatedAt).toBeNull();
    expect(boston.slot).toBe("boss|lives_in");
    expect(dallas.slot).toBe("karen|lives_in");
    expect(dallas.subject).toBe("Karen");
  });

  it("'My sister Lena lives in Chicago' goes to lena|lives_in, not the speaker's slot", async () => {
    const ms = (await mnemo.remember([{ id: "l1", speaker: "Ann", content: "I live in Boston. My sister Lena lives in Chicago." }], { userId: "sister" }), await all("sister", true));
    expect(ms.find((m) => m.kind !== "summary" && m.text.includes("Chicago"))!.slot).toBe("lena|lives_in");
    expect(ms.find((m) => m.kind !== "summary" && m.text.includes("Boston"))!.invalidatedAt).toBeNull();
  });

  it("an unnamed relative gets their own slot ('ann's sister'), and saying the same city again invalidates nothing", async () => {
    const u = { userId: "unnamed" };
    await mnemo.remember([{ id: "x1", speaker: "Ann", content: "I live in Boston.", occurredAt: "2024-01-01T10:00:00Z" }], u);
    await mnemo.remember([{ id: "x2", speaker: "Ann", content: "My brother lives in Austin.", occurredAt: "2024-01-02T10:00:00Z" }], u);
    await mnemo.remember([{ id: "x3", speaker: "Ann", content: "We're living in Boston, near the river.", occurredAt: "2024-01-03T10:00:00Z" }], u);
    const ms = await all("unnamed", true);
    expect(ms.find((m) => m.kind !== "summary" && m.text.includes("Austin"))!.slot).toBe("ann's brother|lives_in");
    expect(ms.filter((m) => m.text.includes("Boston") && m.kind !== "summary").every((m) => m.invalidatedAt === null)).toBe(true);
  });
});
