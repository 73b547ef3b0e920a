/**
 * Regression (#8, BEAM chat 5, temporal_reasoning): "How long did it take me to improve my
 * accuracy from 60% to 85% after I started working on those problems?" — the fused rank put
 * turns that repeat "accuracy" and "problems" above the two turns that hold the 60% and 85%
 * figures with their dates, so the 1,000-token context lacked the start (answer coverage
 * 0.70). Candidates now also score by the share of the question's own terms their shown text
 * holds ({@link COVERAGE_BOOST}).
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerCoverage } from "../src/bench/coverage.js";
import { BEAM_MNEMO_OPTIONS, beamMessages, readBeam, type BeamChat } from "../src/bench/beam.js";
import { Mnemo } from "../src/mnemo.js";
import { COVERAGE_BOOST } from "../src/recall/recall.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BEAM_DIR = fileURLToPath(new URL("../../shared/data/beam/100K", import.meta.url));
let mnemo: Mnemo;
let dir: string;
let chat: BeamChat;

beforeAll(async () => {
  chat = readBeam(BEAM_DIR, ["5"])[0]!;
  dir = mkdtempSync(join(tmpdir(), "mnemo-beam5-"));
  mnemo = await Mnemo.open({ path: join(dir, "m.db"), ...BEAM_MNEMO_OPTIONS });
  await mnemo.remember(beamMessages(chat), { userId: "beam-5" });
}, 120_000);
afterAll(async () => {
  await mnemo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("regression: BEAM chat 5, accuracy 60% → 85%", () => {
  it("the 1,000-token context holds both figures and the time between them", async () => {
    const q = chat.questions.find((x) => x.question.startsWith("How long did it take me to improve my accuracy from 60% to 85%"))!;
    expect(q).toBeDefined();
    const r = await mnemo.recall(q.question, { userId: "beam-5", budgetTokens: 1000, reinforce: false });
    expect(r.contextTokens).toBeLessThanOrEqual(1000);
    expect(answerCoverage(q.reference, r.context)).toBeGreaterThanOrEqual(0.9);
    expect(COVERAGE_BOOST).toBeGreaterThan(0);
  });
});
