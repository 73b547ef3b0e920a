/**
 * Filler is not memory (#8 §3): greetings, acknowledgements, compliments, wishes, small
 * talk and bare questions yield no memory; a plain preference does. The share of filler
 * and garbled memories on locomo-dev is measured against a hand-labelled sample
 * (test/fixtures/filler-sample.json; procedure in docs/BENCHMARKS.md).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFiller } from "../src/ingest/extract/filler.js";
import { readLocomo, rememberConversation } from "../src/index.js";
import type { Mnemo } from "../src/mnemo.js";
import { LOCOMO_PATH, openTempMnemo } from "./support/fixtures.js";

interface Labelled {
  text: string;
  label: "informative" | "filler" | "garbled";
}
const SAMPLE = JSON.parse(readFileSync(new URL("./fixtures/filler-sample.json", import.meta.url), "utf8")) as { seed: number; items: Labelled[] };

let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo());
});
afterAll(async () => {
  await cleanup();
});

describe("regression: filler is not memory", () => {
  it.each(["Wow, they look great!", "Let me know how it goes.", "Mochi is a cute name!", "Thanks so much!", "Hey Mel! Good to see you!", "You're doing great!", "I'm so happy for you!", "Have fun!", "Sounds like a plan."])(
    "%s is filler",
    (s) => {
      expect(isFiller(s)).toBe(true);
    },
  );

  it.each(["I like pizza.", "She's an architect.", "I adopted a dog named Mochi last weekend.", "My sister Lena lives in Chicago."])("%s is kept", (s) => {
    expect(isFiller(s)).toBe(false);
  });

  it("'I like pizza.' yields a preference; chat filler and bare questions yield no memory", async () => {
    await mnemo.remember(
      [
        { id: "f1", speaker: "Andrew", content: "Wow, they look great! Let me know how it goes.", occurredAt: "2023-05-01T10:00:00Z", sessionId: "s" },
        { id: "f2", speaker: "Audrey", content: "Mochi is a cute name! How old is he?", occurredAt: "2023-05-01T10:01:00Z", sessionId: "s" },
        { id: "f3", speaker: "Andrew", content: "I like pizza.", occurredAt: "2023-05-01T10:02:00Z", sessionId: "s" },
      ],
      { userId: "filler" },
    );
    const ms = (await mnemo.memories({ userId: "filler", limit: 100 })).items.filter((m) => m.kind !== "summary");
    expect(ms.map((m) => m.text)).toEqual(["Andrew: I like pizza."]);
    expect(ms[0]!.kind).toBe("preference");
  });
});

describe("filler and garbled share on locomo-dev (hand-labelled sample)", () => {
  it("the fixture holds 200 labelled memory texts, not the dataset", () => {
    expect(SAMPLE.items.length).toBe(200);
    expect(SAMPLE.items.every((x) => ["informative", "filler", "garbled"].includes(x.label) && x.text.length < 1000)).toBe(true);
  });

  // The target is ≤ 5%; the offline rules reach 18.5% on this sample (37/200 filler,
  // 0 garbled; docs/BENCHMARKS.md). This guards the level reached, not the target.
  it("re-extracted memories that match a labelled text are ≤ 20% filler + garbled (target 5% not reached)", async () => {
    const labels = new Map(SAMPLE.items.map((x) => [x.text, x.label]));
    const texts = new Set<string>();
    for (const conv of readLocomo(LOCOMO_PATH)) {
      await rememberConversation(mnemo, conv);
      let cursor: string | undefined;
      do {
        const page = await mnemo.memories({ userId: conv.sampleId, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const m of page.items) if (m.kind !== "summary") texts.add(m.text);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    const matched = [...texts].filter((t) => labels.has(t));
    const bad = matched.filter((t) => labels.get(t) !== "informative");
    console.log(`filler sample: ${matched.length}/${SAMPLE.items.length} labelled texts re-extracted, ${bad.length} filler/garbled (${((100 * bad.length) / Math.max(1, matched.length)).toFixed(1)}%); ${texts.size - matched.length} of ${texts.size} texts are unlabelled`);
    // The sample must still describe what the extractor stores: most labelled texts come back.
    expect(matched.length).toBeGreaterThanOrEqual(180);
    expect(bad.length / matched.length).toBeLessThanOrEqual(0.2);
  }, 300_000);
});
