/**
 * Regression (#8, BEAM 100K): assistant answers run to ~900 tokens (median of chat 2), so at
 * a 1,000-token budget, where verbatim turns may use half, no assistant turn could ever be
 * shown and "How did you recommend…?" had no answer in the context. A turn over
 * LONG_TURN_WORDS words is now shown as its excerpt about the question.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { excerpt, EXCERPT_WORDS, LONG_TURN_WORDS } from "../src/recall/lines.js";
import { termList } from "../src/core/text.js";
import { openTempMnemo } from "./support/fixtures.js";

const filler = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `Step ${i + 1} of the ${topic} checklist is to review the notes and keep the team informed about progress.`).join(" ");
const answer = `${filler("deployment", 12)} For the bursts of retries, put outgoing requests in a queue, reset the request counter every sixty seconds, and retry with exponential backoff capped at thirty seconds. ${filler("release", 12)}`;

let mnemo: Mnemo;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo());
  await mnemo.remember(
    [
      { role: "user", content: "My weather app sends bursts of retries to the API when the network is flaky. How should I manage the flow of requests?", id: "u1", occurredAt: "2024-03-10T10:00:00Z" },
      { role: "assistant", content: answer, id: "a1", occurredAt: "2024-03-10T10:01:00Z" },
      { role: "user", content: "Thanks, I will try that next week after the design review.", id: "u2", occurredAt: "2024-03-10T10:02:00Z" },
    ],
    { userId: "dev" },
  );
});
afterAll(async () => cleanup());

describe("regression: long turns are shown as their excerpt about the question", () => {
  it("excerpt keeps the sentences about the query, within the word cap, marked with …", () => {
    const q = new Set(termList("How did you recommend handling retries and the request queue?"));
    const x = excerpt(answer, q);
    expect(answer.split(/\s+/).length).toBeGreaterThan(LONG_TURN_WORDS);
    expect(x).toContain("put outgoing requests in a queue");
    expect(x.split(/\s+/).length).toBeLessThanOrEqual(EXCERPT_WORDS + 2);
    expect(x.startsWith("… ")).toBe(true);
    // short turns and turns without a query term are whole
    expect(excerpt("I moved to Lisbon.", q)).toBe("I moved to Lisbon.");
    expect(excerpt(answer, new Set(["zebra"]))).toBe(answer);
  });

  it("a ~500-token assistant answer reaches a 300-token context through its excerpt", async () => {
    const r = await mnemo.recall("How did you recommend managing the bursts of retries and the request queue?", { userId: "dev", budgetTokens: 300, reinforce: false });
    expect(r.contextTokens).toBeLessThanOrEqual(300);
    expect(r.context).toContain("exponential backoff capped at thirty seconds");
    expect(r.results.some((x) => x.type === "episode" && x.sources.includes("a1"))).toBe(true);
  });
});
