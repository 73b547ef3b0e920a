/**
 * Filler is not memory (#8 §3): greetings, acknowledgements, compliments, wishes, small
 * talk and bare questions yield no memory; a plain preference does. The share of filler
 * and garbled memories on locomo-dev is measured against hand-labelled samples
 * (test/fixtures/filler-*.json, keyed by text hashes; procedure in docs/BENCHMARKS.md).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFiller } from "../src/ingest/extract/filler.js";
import { storedMemoryTexts, textId } from "../src/bench/memory-texts.js";
import { isPhotoCaption, OfflineExtractor } from "../src/ingest/extract/offline.js";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, LOCOMO_PATH, openTempMnemo } from "./support/fixtures.js";

interface Labelled {
  id: string;
  label: "informative" | "filler" | "garbled";
}
const LABELS = ["informative", "filler", "garbled"];
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as { items: Labelled[] };
/** Drawn after the learned filter and the tighter preference kind (stop 17, seed 21). */
const SAMPLE = fixture("filler-sample.json");
/** Drawn at stop 16 from the rules alone; held out from training. */
const HOLDOUT = fixture("filler-holdout.json");
/** The filter's training set (rules-only texts). */
const TRAIN = fixture("filler-train.json");

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

describe("learned filler filter (hand-labelled samples of locomo-dev)", () => {
  let rulesOnly: Map<string, string>;
  let stored: Map<string, string>;
  beforeAll(async () => {
    const byId = (texts: string[]) => new Map(texts.map((t) => [textId(t), t]));
    rulesOnly = byId(await storedMemoryTexts(LOCOMO_PATH, new OfflineExtractor({ fillerModel: false })));
    stored = byId(await storedMemoryTexts(LOCOMO_PATH));
  }, 300_000);

  it("the fixtures hold labels keyed by text hashes, not the dataset's text", () => {
    for (const f of [SAMPLE, HOLDOUT, TRAIN]) {
      expect(f.items.every((x) => /^[0-9a-f]{16}$/.test(x.id) && LABELS.includes(x.label))).toBe(true);
      expect(JSON.stringify(f)).not.toMatch(/"text"/);
    }
    expect(SAMPLE.items).toHaveLength(200);
    expect(TRAIN.items).toHaveLength(800);
    // Held out means held out: no labelled text is in two sets.
    const ids = [SAMPLE, HOLDOUT, TRAIN].flatMap((f) => f.items.map((x) => x.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  // The stop-16 sample (rules only; never trained on): what the filter drops of it.
  it("on the held-out stop-16 sample the filter drops ≥ 70% of the filler and ≤ 20% of the informative lines it judges (measured 23/32 and 12/103)", () => {
    const judged = HOLDOUT.items.filter((x) => rulesOnly.has(x.id) && !isPhotoCaption(rulesOnly.get(x.id)!));
    expect(judged.length).toBeGreaterThanOrEqual(130);
    const dropped = judged.filter((x) => !stored.has(x.id));
    const filler = judged.filter((x) => x.label !== "informative");
    const caught = dropped.filter((x) => x.label !== "informative").length;
    const lost = dropped.filter((x) => x.label === "informative").length;
    console.log(`holdout: ${judged.length} judged, filler caught ${caught}/${filler.length}, informative dropped ${lost}/${judged.length - filler.length}`);
    expect(caught / filler.length).toBeGreaterThanOrEqual(0.7);
    expect(lost / (judged.length - filler.length)).toBeLessThanOrEqual(0.2);
  });

  // The target is ≤ 5%; this sample (seed 21, drawn after the filter, read blind) has
  // 11.0% (20 filler, 2 garbled of 200; docs/BENCHMARKS.md). This guards the level reached.
  it("what is stored now: the stop-17 sample comes back and is ≤ 13% filler + garbled (target 5% not reached)", () => {
    const matched = SAMPLE.items.filter((x) => stored.has(x.id));
    const bad = matched.filter((x) => x.label !== "informative");
    console.log(`filler sample: ${matched.length}/${SAMPLE.items.length} labelled texts stored, ${bad.length} filler/garbled (${((100 * bad.length) / Math.max(1, matched.length)).toFixed(1)}%) of ${stored.size} stored texts`);
    expect(matched.length).toBeGreaterThanOrEqual(190);
    expect(bad.length / matched.length).toBeLessThanOrEqual(0.13);
  });

  it("keeps particular facts and drops reflections (examples outside the samples)", async () => {
    const turns = [
      { id: "k1", speaker: "Caroline", content: "I keep my spare key under the blue flowerpot.", occurredAt: "2023-05-01T10:00:00Z", sessionId: "s" },
      { id: "k2", speaker: "Caroline", content: "Having people who accept me for who I am has made a huge difference in my journey.", occurredAt: "2023-05-01T10:01:00Z", sessionId: "s" },
    ];
    await mnemo.remember(turns, { userId: "filter-examples" });
    const texts = (await mnemo.memories({ userId: "filter-examples", limit: 100 })).items.filter((m) => m.kind !== "summary").map((m) => m.text);
    expect(texts).toEqual(["Caroline: I keep my spare key under the blue flowerpot."]);
    // The rules alone keep the reflection: the learned filter is what drops it.
    const rules = await openTempMnemo({ extractor: new OfflineExtractor({ fillerModel: false }) });
    try {
      await rules.mnemo.remember(turns, { userId: "filter-examples" });
      expect((await rules.mnemo.memories({ userId: "filter-examples", limit: 100 })).items.filter((m) => m.kind !== "summary")).toHaveLength(2);
    } finally {
      await rules.cleanup();
    }
  });

  it("a malformed filler model is a typed INVALID_CONFIG at construction, not NaN probabilities", async () => {
    const { FILLER_MODEL } = await import("../src/ingest/extract/filler-weights.js");
    for (const bad of [{ ...FILLER_MODEL, weights: FILLER_MODEL.weights.slice(1) }, { ...FILLER_MODEL, dim: 50 }, { ...FILLER_MODEL, scale: FILLER_MODEL.scale.map(() => 0) }, { ...FILLER_MODEL, threshold: 2 }, { ...FILLER_MODEL, word: [] }]) {
      await expectCode(() => new OfflineExtractor({ fillerModel: bad }), "INVALID_CONFIG");
    }
    expect(() => new OfflineExtractor({ fillerModel: { ...FILLER_MODEL } })).not.toThrow();
  });
});
