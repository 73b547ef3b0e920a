import { afterEach, describe, expect, it } from "vitest";
import { answerTokens, bleu1, normalizeAnswer, tokenF1 } from "../src/bench/metrics.js";
import { ANSWER_PROMPT, JUDGE_PROMPT, parseJudgeLabel, qaMessages, runLocomoQA } from "../src/bench/qa.js";
import { parseLocomo, type LocomoConversation } from "../src/importers/locomo.js";
import { openAICompatible } from "../src/providers/llm/index.js";
import { startMockLLMServer, type MockLLMServer, type MockReply, type MockRequest } from "./support/mock-llm-server.js";

describe("answer normalisation, F1 and BLEU-1", () => {
  it("normalises case, punctuation and articles", () => {
    expect(normalizeAnswer("The Eiffel Tower, Paris!")).toBe("eiffel tower paris");
    expect(normalizeAnswer("  An apple;  a PEAR.  ")).toBe("apple pear");
    expect(answerTokens("On 7 May, 2023.")).toEqual(["on", "7", "may", "2023"]);
    expect(answerTokens("the")).toEqual([]);
  });

  it("computes token F1 on known strings", () => {
    expect(tokenF1("7 May 2023", "7 May 2023")).toBe(1);
    expect(tokenF1("on 7 May", "7 May 2023")).toBeCloseTo(2 / 3, 12);
    expect(tokenF1("violin", "clarinet and violin")).toBeCloseTo(0.5, 12); // p = 1, r = 1/3
    expect(tokenF1("The lake sunrise.", "A lake sunrise")).toBe(1);
    expect(tokenF1("purple elephant", "Luna")).toBe(0);
    expect(tokenF1("", "")).toBe(1);
    expect(tokenF1("", "x")).toBe(0);
    expect(tokenF1("a a b", "a b b")).toBeCloseTo(2 / 3, 12); // articles removed: "b" vs "b b" → p = 1, r = 1/2
  });

  it("counts repeated tokens as a multiset", () => {
    // "x x y" vs "x y y": common = min(2,1) + min(1,2) = 2; p = r = 2/3
    expect(tokenF1("x x y", "x y y")).toBeCloseTo(2 / 3, 12);
  });

  it("computes BLEU-1 with clipping and brevity penalty", () => {
    expect(bleu1("7 May 2023", "7 May 2023")).toBe(1);
    expect(bleu1("May", "7 May 2023")).toBeCloseTo(Math.exp(1 - 3), 12);
    expect(bleu1("violin", "clarinet and violin")).toBeCloseTo(Math.exp(-2), 12);
    expect(bleu1("on 7 May", "7 May 2023")).toBeCloseTo(2 / 3, 12); // c = r → BP = 1
    expect(bleu1("may may may may", "may 2023")).toBeCloseTo(1 / 4, 12); // clipped to 1 match, c > r → BP = 1
    expect(bleu1("", "x")).toBe(0);
  });
});

describe("parseJudgeLabel", () => {
  it.each([
    ['{"label":"CORRECT"}', "CORRECT"],
    ['{"label": "wrong"}', "WRONG"],
    ['```json\n{"label": "Correct"}\n```', "CORRECT"],
    ["The answer names the same date. {'label': 'CORRECT'}", "CORRECT"],
    ["<think>hmm</think>\n{label: WRONG}", "WRONG"],
    ["CORRECT", "CORRECT"],
    ["The generated answer is incorrect.", "WRONG"],
    ["Label: WRONG", "WRONG"],
    ["I cannot decide between CORRECT and WRONG", null],
    ["no idea", null],
  ] as const)("%s → %s", (text, want) => {
    expect(parseJudgeLabel(text)).toBe(want);
  });
});

function conversation(): LocomoConversation[] {
  const turns = [
    ["Caroline", "I went to an LGBTQ support group yesterday."],
    ["Melanie", "I painted a lake sunrise last week."],
    ["Caroline", "I adopted a dog named Luna!"],
    ["Melanie", "I play the clarinet and violin to relax."],
    ["Caroline", "My grandma gave me a necklace from Sweden."],
    ["Melanie", "My three kids love camping."],
  ];
  return parseLocomo(
    JSON.stringify([
      {
        sample_id: "conv-qa",
        conversation: {
          speaker_a: "Caroline",
          speaker_b: "Melanie",
          session_1_date_time: "1:56 pm on 8 May, 2023",
          session_1: turns.map(([speaker, text], i) => ({ speaker, dia_id: `D1:${i + 1}`, text })),
        },
        qa: [
          { question: "When did Caroline go to the LGBTQ support group?", answer: "7 May 2023", evidence: ["D1:1"], category: 2 },
          { question: "What did Melanie paint?", answer: "A lake sunrise", evidence: ["D1:2"], category: 4 },
          { question: "What is the name of Caroline's dog?", answer: "Luna", evidence: ["D1:3"], category: 4 },
          { question: "Where is Caroline's grandma's necklace from?", answer: "Sweden", evidence: ["D1:5"], category: 3 },
          { question: "Which instruments does Melanie play?", answer: "clarinet and violin", evidence: ["D1:4"], category: 1 },
          { question: "How many kids does Melanie have?", answer: 3, evidence: ["D1:6"], category: 1 },
          { question: "What did Caroline paint?", adversarial_answer: "A lake sunrise", evidence: ["D1:2"], category: 5 },
          { question: "Where did Melanie go camping?", answer: "the beach", evidence: ["D1:6"], category: 4 },
        ],
      },
    ]),
  );
}

/** What the answering model says for each question (the gold answer, a paraphrase, garbage, or an HTTP error). */
const ANSWERS: Record<string, MockReply> = {
  "When did Caroline go to the LGBTQ support group?": "7 May 2023", // CORRECT, F1 1, BLEU 1
  "What did Melanie paint?": "The lake sunrise.", // judge: not equal → WRONG; F1 1, BLEU 1 after normalisation
  "What is the name of Caroline's dog?": "purple elephant", // WRONG, 0, 0
  "Where is Caroline's grandma's necklace from?": "Sweden", // CORRECT, 1, 1
  "Which instruments does Melanie play?": "violin", // WRONG, F1 0.5, BLEU e^-2
  "How many kids does Melanie have?": "3", // CORRECT (numeric gold), 1, 1
  "Where did Melanie go camping?": { status: 400, body: { error: { message: "bad request" } } }, // error → WRONG, 0, 0
};
const JUDGE_FORMATS = [(l: string) => `{"label": "${l}"}`, (l: string) => "```json\n" + `{"label":"${l}"}` + "\n```", (l: string) => `Reasoning: compared both. ${l}`];

let server: MockLLMServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function handler(req: MockRequest): MockReply | undefined {
  const body = req.body as { model: string; messages: Array<{ role: string; content: string }> };
  const prompt = body.messages.at(-1)!.content;
  if (body.model === "answerer") {
    const q = /Question: (.*)\n/.exec(prompt)?.[1] ?? "";
    const reply = ANSWERS[q];
    if (reply === undefined) return { status: 500, body: `unknown question ${q}` };
    return typeof reply === "string" ? { text: reply, usage: { inputTokens: 100, outputTokens: 5 } } : reply;
  }
  const gold = /^Gold answer: (.*)$/m.exec(prompt)?.[1];
  const answer = /^Generated answer: (.*)$/m.exec(prompt)?.[1];
  const label = gold === answer ? "CORRECT" : "WRONG";
  return { text: JUDGE_FORMATS[req.index % JUDGE_FORMATS.length]!(label), usage: { inputTokens: 200, outputTokens: 3 } };
}

describe("runLocomoQA against the mock server", () => {
  it("answers, judges and scores every question of categories 1–4", async () => {
    server = await startMockLLMServer({ handler });
    const llm = openAICompatible({ baseUrl: `${server.url}/v1`, model: "answerer", maxRetries: 0 });
    const judge = openAICompatible({ baseUrl: `${server.url}/v1`, model: "judge", maxRetries: 0 });
    const progress: number[] = [];
    const r = await runLocomoQA({
      data: conversation(),
      budget: 200,
      llm,
      judge,
      prices: { inputPerMillion: 1, outputPerMillion: 2 },
      concurrency: 3,
      onProgress: (d) => progress.push(d),
    });

    expect(r.benchmark).toBe("locomo-qa");
    expect(r.llm).toBe("openai-compatible/answerer");
    expect(r.judge).toBe("openai-compatible/judge");
    expect(r.items).toHaveLength(7); // category 5 left out
    expect(progress.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.overall.questions).toBe(7);
    expect(r.overall.j).toBeCloseTo(3 / 7, 4);
    expect(r.overall.f1).toBeCloseTo((1 + 1 + 0 + 1 + 0.5 + 1 + 0) / 7, 4);
    expect(r.overall.bleu1).toBeCloseTo((1 + 1 + 0 + 1 + Math.exp(-2) + 1 + 0) / 7, 4);
    expect(r.errors).toBe(1);
    const failed = r.items.find((i) => i.question === "Where did Melanie go camping?")!;
    expect(failed.label).toBe("WRONG");
    expect(failed.error).toMatch(/HTTP 400/);

    expect(r.byCategory["multi-hop"]).toMatchObject({ questions: 2, j: 0.5 });
    expect(r.byCategory["multi-hop"].f1).toBeCloseTo(0.75, 4);
    expect(r.byCategory["temporal"]).toMatchObject({ questions: 1, j: 1, f1: 1, bleu1: 1 });
    expect(r.byCategory["open-domain"]).toMatchObject({ questions: 1, j: 1 });
    expect(r.byCategory["single-hop"]).toMatchObject({ questions: 3, j: 0 });
    expect(r.byCategory["single-hop"].f1).toBeCloseTo(1 / 3, 4);
    expect(r.byCategory["adversarial"].questions).toBe(0);

    // usage from Completion.usage; the failed answer call reports none
    expect(r.usage.answer).toEqual({ calls: 6, inputTokens: 600, outputTokens: 30, costUsd: 0.00066 });
    expect(r.usage.judge).toEqual({ calls: 6, inputTokens: 1200, outputTokens: 18, costUsd: 0.001236 });
    expect(r.cost).toBeCloseTo(0.001896, 9);

    // plumbing: the answerer saw the recalled memories and the question; the judge saw gold and answer
    const answerReq = server.requests.find((q) => (q.body as { model: string }).model === "answerer")!;
    const msgs = (answerReq.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(msgs[0]!.role).toBe("system");
    expect(msgs[1]!.content).toMatch(/^Memories:\n/);
    expect(msgs[1]!.content).toMatch(/\[8 May 2023\]/);
    const judgeReq = server.requests.find((q) => (q.body as { model: string }).model === "judge")!;
    expect((judgeReq.body as { messages: Array<{ content: string }> }).messages[0]!.content).toMatch(/Gold answer: .+\nGenerated answer: .+/);
    for (const item of r.items) expect(item.contextTokens).toBeLessThanOrEqual(200);
  });

  it("honours limit and reports null cost without prices", async () => {
    server = await startMockLLMServer({ handler });
    const llm = openAICompatible({ baseUrl: `${server.url}/v1`, model: "answerer", maxRetries: 0 });
    const judge = openAICompatible({ baseUrl: `${server.url}/v1`, model: "judge", maxRetries: 0 });
    const r = await runLocomoQA({ data: conversation(), budget: 100, llm, judge, limit: 2 });
    expect(r.items.map((i) => i.question)).toEqual(["When did Caroline go to the LGBTQ support group?", "What did Melanie paint?"]);
    expect(r.overall.j).toBe(0.5);
    expect(r.cost).toBeNull();
    expect(r.usage.answer.costUsd).toBeNull();
    expect(server.requests).toHaveLength(4);
  });

  it("documents its prompts as constants", () => {
    expect(ANSWER_PROMPT).toContain("{{context}}");
    expect(JUDGE_PROMPT).toContain('{"label"');
    const m = qaMessages("ctx $& $1", "Q?", "gold", "ans");
    expect(m.answer[1]!.content).toContain("ctx $& $1"); // no regex replacement patterns applied
    expect(m.judge[0]!.content).toContain("Gold answer: gold\nGenerated answer: ans");
  });
});
