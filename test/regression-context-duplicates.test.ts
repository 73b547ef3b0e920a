/**
 * Regression (#8, found reading LoCoMo contexts): two memories of one turn (its event and the
 * question–answer pair it closes) were each shown as that whole turn, so the context spent
 * its budget on the same turn twice ("I loved 'Becoming Nicole'…" appeared twice in a
 * 1,000-token context for conv-26). A turn is now shown once; bare interjections at a turn's
 * edges ("Wow, Mel!", "Thanks!") are not shown.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { trimSmallTalk } from "../src/recall/lines.js";
import { openTempMnemo } from "./support/fixtures.js";

let mnemo: Mnemo;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo());
  const at = (m: number) => `2023-07-12T10:${String(m).padStart(2, "0")}:00Z`;
  await mnemo.remember(
    [
      { id: "t1", speaker: "Melanie", content: "Wow, Caroline! Which one has been your favorite guide?", occurredAt: at(1), sessionId: "s7" },
      { id: "t2", speaker: "Caroline", content: 'I loved "Becoming Nicole" by Amy Ellis Nutt. It\'s a real inspiring true story about a trans girl and her family. It made me feel connected and gave me a lot of hope for my own path. Highly recommend it for sure!', occurredAt: at(2), sessionId: "s7" },
      { id: "t3", speaker: "Melanie", content: "That sounds awesome! What did you take away from it to use in your life?", occurredAt: at(3), sessionId: "s7" },
      { id: "t4", speaker: "Caroline", content: "It taught me self-acceptance and how to find support. Thanks!", occurredAt: at(4), sessionId: "s7" },
    ],
    { userId: "conv" },
  );
});
afterAll(async () => {
  await cleanup();
});

describe("regression: a turn is shown once", () => {
  it("the book turn appears once in the context although two memories of it are recalled", async () => {
    const r = await mnemo.recall("Which book about a trans girl did Caroline love and recommend?", { userId: "conv", budgetTokens: 1000 });
    // the turn in the speaker's words (a profile summary may still name the book)
    expect(r.context.split('Caroline: "I loved "Becoming Nicole"').length - 1).toBe(1);
    expect(r.context.split("\n").filter((l) => l.includes("Becoming Nicole") && !l.startsWith("- Profile of")).length).toBe(1);
  });

  it("bare interjections at a turn's edges are not shown", async () => {
    expect(trimSmallTalk("Wow, Caroline! I made this bowl in my class. Thanks!")).toBe("I made this bowl in my class.");
    expect(trimSmallTalk("Thanks so much!")).toBe("Thanks so much!");
    // a sentence with content at the edge stays
    expect(trimSmallTalk("Thanks for the tip about the pottery class. I signed up.")).toBe("Thanks for the tip about the pottery class. I signed up.");
    const r = await mnemo.recall("What did Caroline learn about self-acceptance?", { userId: "conv", budgetTokens: 1000 });
    expect(r.context).toContain('Caroline: "It taught me self-acceptance and how to find support."');
  });
});

describe("regression: an updated memory is shown in its own words, never as a stale turn", () => {
  it("add with the same key (window → aisle): the line says aisle, not the first turn's window", async () => {
    await mnemo.add({ kind: "preference", text: "Lena prefers window seats.", key: "seat" }, { userId: "lena" });
    await mnemo.add({ kind: "preference", text: "Lena prefers aisle seats.", key: "seat" }, { userId: "lena" });
    const r = await mnemo.recall("Which seat does Lena like?", { userId: "lena", budgetTokens: 200 });
    expect(r.context).toContain("aisle");
    expect(r.context).not.toContain("window");
  });

  it("a memory edited to say more than its turn is shown although the turn is shown too", async () => {
    await mnemo.remember([{ id: "al1", role: "user", speaker: "Alice", content: "I'm allergic to peanuts.", occurredAt: "2024-04-02T10:00:00Z" }], { userId: "alice" });
    const peanut = (await mnemo.memories({ userId: "alice" })).items.find((m) => m.text.includes("peanut"))!;
    await mnemo.update(peanut.id, { text: "Alice is allergic to peanuts and cashews." });
    const r = await mnemo.recall("What is Alice allergic to?", { userId: "alice", budgetTokens: 1000 });
    expect(r.context).toContain("cashews");
  });
});
