import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerCoverage } from "../src/bench/coverage.js";
import type { Context } from "../src/core/context.js";
import type { Episode } from "../src/core/types.js";
import { readLocomo, rememberConversation } from "../src/importers/locomo.js";
import type { Mnemo } from "../src/mnemo.js";
import type { Candidate } from "../src/recall/pack.js";
import { rerank, rerankFeatures, RERANK_FEATURES, setRerankWeights, type RerankQuery } from "../src/recall/rerank.js";
import { RERANK_WEIGHTS } from "../src/recall/rerank-weights.js";
import { Snapshot } from "../src/recall/snapshot.js";
import { terms } from "../src/core/text.js";
import { openTempMnemo } from "./support/fixtures.js";

const DATA = fileURLToPath(new URL("../../shared/data/locomo/locomo-dev.json", import.meta.url));

function episode(id: string, speaker: string, text: string): Episode {
  return { id, speaker, text, attachmentText: null, occurredAt: "2023-05-08T13:56:00.000Z", sessionId: "s1" } as Episode;
}

describe("learned reranker (src/recall/rerank.ts)", () => {
  it("has one weight per feature, and every feature vector has that length", () => {
    expect(RERANK_WEIGHTS.length).toBe(RERANK_FEATURES.length);
    const snap = new Snapshot({} as Context, { tenant: "t", userId: "u" }, []);
    const c: Candidate = { key: "e:1", type: "episode", episode: episode("1", "Caroline", "I adopted a guinea pig named Oscar."), score: 0.05, channels: { lexical: 0.03 } };
    const x = rerankFeatures(snap, c, 0, 0.05, { focus: new Set(["pet"]), terms: new Set(["pet"]), people: new Set(["Caroline"]), asksWhen: false });
    expect(x).toHaveLength(RERANK_FEATURES.length);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it("ranks a turn that holds the question's words, said by the person asked about, above neighbour-only small talk of a higher fused score", () => {
    const snap = new Snapshot({} as Context, { tenant: "t", userId: "u" }, []);
    const q: RerankQuery = { focus: new Set(terms("kind of pet have")), terms: new Set(terms("kind of pet have")), people: new Set(["Caroline"]), asksWhen: false };
    const smallTalk: Candidate = { key: "e:a", type: "episode", episode: episode("a", "Melanie", "Aww, thanks so much! Talk soon!"), score: 0.08, channels: { neighbour: 0.08 } };
    const answer: Candidate = {
      key: "e:b",
      type: "episode",
      episode: episode("b", "Caroline", "My pet is a guinea pig named Oscar, he's the cutest."),
      score: 0.05,
      channels: { lexical: 0.02, dense: 0.02, graph: 0.01 },
    };
    const list = [smallTalk, answer];
    rerank(list, snap, q);
    expect(list.map((c) => c.key)).toEqual(["e:b", "e:a"]);
  });

  describe.runIf(existsSync(DATA))("on LoCoMo conv-26", () => {
    let mnemo: Mnemo;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ mnemo, cleanup } = await openTempMnemo());
      const [conv] = readLocomo(DATA, ["conv-26"]);
      await rememberConversation(mnemo, conv!);
    }, 120_000);
    afterAll(async () => {
      setRerankWeights(null);
      await cleanup();
    });

    it("regression: 'What pet does Caroline have?' (guinea pig) is answered in 500 tokens only with the reranker", async () => {
      const ask = async () => (await mnemo.recall("What pet does Caroline have?", { userId: "conv-26", budgetTokens: 500, reinforce: false })).context;
      setRerankWeights([]);
      const without = await ask();
      setRerankWeights(null);
      const withIt = await ask();
      expect(answerCoverage("guinea pig", without)).toBeLessThan(1);
      expect(answerCoverage("guinea pig", withIt)).toBe(1);
    });
  });
});
