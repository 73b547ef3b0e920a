import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BEAM_TYPES, parseTimeAnchor, readBeam, runBeamBench, stripBeamMarker, type BeamBenchResult } from "../src/bench/beam.js";
import { runBeamQA } from "../src/bench/beam-qa.js";
import { formatBeamTable } from "../src/bench/report.js";
import { isMnemoError } from "../src/core/errors.js";
import { anthropic, openAICompatible } from "../src/providers/llm/index.js";
import { startMockLLMServer, type MockLLMServer, type MockRequest } from "./support/mock-llm-server.js";

/** A tiny chat in BEAM's layout, written by the test (never the shared data). */
function writeFixture(dir: string): void {
  const chat = [
    {
      batch_number: 1,
      time_anchor: null,
      turns: [
        [
          { role: "user", id: 0, time_anchor: "March-15-2024", index: "1,1", question_type: "main_question", content: "I'm building a budget tracker in Flask and my first sprint ends on March 29. ->-> 1,1" },
          { role: "assistant", id: 1, index: "1,2", content: "Great! Let's plan the sprint around user registration and login." },
        ],
        [
          { role: "user", id: 2, content: "Always format all code snippets with syntax highlighting when I ask about implementation details. ->-> 1,2" },
          { role: "assistant", id: 3, content: "Understood, I will use fenced code blocks with a language tag." },
        ],
        [
          { role: "user", id: 4, content: "The dashboard API averages 400ms response time right now. ->-> 1,3" },
          { role: "assistant", id: 5, content: "Caching could bring that down." },
        ],
      ],
    },
    {
      batch_number: 2,
      time_anchor: null,
      turns: [
        [
          { role: "user", id: 6, time_anchor: "April-05-2024", content: "Update: after caching tweaks the dashboard API now averages around 250ms. ->-> 2,N/A" },
          { role: "assistant", id: 7, content: "Nice improvement from caching." },
        ],
        [
          { role: "user", id: 8, content: "I prefer simple, minimal dependencies to keep the app lightweight. ->-> 2,2" },
          { role: "assistant", id: 9, content: "Then plain sqlite3 and Flask-Login are enough." },
        ],
      ],
    },
  ];
  const questions = {
    information_extraction: [{ question: "When does my first sprint end?", answer: "March 29", source_chat_ids: [0] }],
    knowledge_update: [{ question: "What is the average response time of the dashboard API?", answer: "Around 250ms with caching" }],
    instruction_following: [{ question: "Could you show me how to implement a login feature?", instruction_being_tested: "Always format all code snippets with syntax highlighting.", source_chat_ids: [2] }],
    preference_following: [{ question: "Which libraries should I use for login?", preference_being_tested: "I prefer simple, minimal dependencies.", source_chat_ids: [8] }],
    abstention: [{ question: "What did my manager say about the launch?", ideal_response: "There is no information about a manager." }],
    summarization: [{ question: "Summarize the project so far.", ideal_summary: "A Flask budget tracker; sprint ends March 29; API sped up to 250ms with caching." }],
  };
  mkdirSync(join(dir, "1", "probing_questions"), { recursive: true });
  writeFileSync(join(dir, "1", "chat.json"), JSON.stringify(chat));
  writeFileSync(join(dir, "1", "probing_questions", "probing_questions.json"), JSON.stringify(questions));
  writeFileSync(join(dir, "1", "topic.json"), JSON.stringify("budget tracker"));
}

let dir: string;
let result: BeamBenchResult;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "beam-fixture-"));
  writeFixture(dir);
  result = await runBeamBench({ data: dir, budget: 120 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("BEAM data", () => {
  it("strips markers, keeps roles and ids, dates messages from time_anchor", () => {
    expect(stripBeamMarker("Can you help? ->-> 1,1")).toBe("Can you help?");
    expect(stripBeamMarker("an example ->-> 2,N/A")).toBe("an example");
    expect(parseTimeAnchor("March-15-2024")?.toISOString()).toBe("2024-03-15T09:00:00.000Z");
    expect(parseTimeAnchor("soon")).toBeNull();
    const [chat] = readBeam(dir);
    expect(chat!.topic).toBe("budget tracker");
    expect(chat!.messages).toHaveLength(10);
    expect(chat!.messages.some((m) => m.content.includes("->->"))).toBe(false);
    expect(chat!.messages.map((m) => m.role).slice(0, 2)).toEqual(["user", "assistant"]);
    expect(chat!.messages[0]!.id).toBe("0");
    expect(chat!.messages[1]!.occurredAt).toBe("2024-03-15T09:00:10.000Z");
    expect(chat!.messages[6]!.occurredAt).toBe("2024-04-05T09:00:00.000Z");
    expect(chat!.questions.find((q) => q.type === "instruction_following")).toMatchObject({ following: true, reference: "Always format all code snippets with syntax highlighting.", sourceIds: ["2"] });
    expect(chat!.questions.find((q) => q.type === "summarization")?.reference).toMatch(/budget tracker/);
  });

  it("rejects a missing directory and unknown chats with INVALID_INPUT", () => {
    expect(() => readBeam(join(dir, "nope"))).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
    expect(() => readBeam(dir, ["7"])).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });
});

describe("runBeamBench on the fixture", () => {
  it("reports answer coverage per type for mnemo, bm25-turns and full-context", () => {
    expect(result.benchmark).toBe("beam");
    expect(Object.keys(result.systems)).toEqual(["mnemo", "bm25-turns", "full-context"]);
    expect(result.questions).toBe(6);
    for (const s of Object.values(result.systems)) {
      expect(Object.keys(s.byType).every((t) => (BEAM_TYPES as readonly string[]).includes(t))).toBe(true);
      expect(s.overall.questions).toBe(3); // abstention and the following types are not in overall
      expect(s.overall.answerCoverage).toBeGreaterThanOrEqual(0);
      expect(s.overall.answerCoverage).toBeLessThanOrEqual(result.systems["full-context"]!.overall.answerCoverage);
      expect(s.overall.p95Ms).toBeGreaterThanOrEqual(s.overall.p50Ms);
    }
    expect(result.systems["full-context"]!.byType["knowledge_update"]!.answerCoverage).toBe(1);
    expect(result.systems["mnemo"]!.ingest!.turns).toBe(10);
    expect(result.systems["mnemo"]!.overall.maxContextTokens).toBeLessThanOrEqual(120);
    expect(result.systems["bm25-turns"]!.overall.maxContextTokens).toBeLessThanOrEqual(120);
    expect(result.systems["mnemo"]!.byType["information_extraction"]!.answerCoverage).toBe(1);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("lists the following questions with whether the instruction is in the context", () => {
    expect(result.following).toHaveLength(2);
    const inst = result.following.find((f) => f.type === "instruction_following")!;
    expect(inst.tested).toMatch(/syntax highlighting/);
    expect(inst.systems["full-context"]).toMatchObject({ coverage: 1, present: true, sourceCited: true });
    for (const f of result.following) for (const s of Object.values(f.systems)) expect(s.present).toBe(s.coverage >= result.presenceThreshold);
    const table = formatBeamTable(result);
    expect(table).toMatch(/knowledge_update/);
    expect(table).toMatch(/instruction\/preference present/);
    expect(table).toMatch(/syntax highlighting/);
  });

  it("rejects unknown systems and bad budgets", async () => {
    await expect(runBeamBench({ data: dir, budget: 100, systems: ["nope"] })).rejects.toSatisfy((e) => isMnemoError(e, "INVALID_INPUT"));
    await expect(runBeamBench({ data: dir, budget: 0 })).rejects.toSatisfy((e) => isMnemoError(e, "INVALID_INPUT"));
  });
});

describe("runBeamQA against a mock server", () => {
  let server: MockLLMServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const text = (req: MockRequest): string => {
    const body = req.body as { messages: Array<{ content: string | Array<{ text: string }> }> };
    const c = body.messages.at(-1)!.content;
    return typeof c === "string" ? c : c.map((x) => x.text).join("");
  };
  const handler = (req: MockRequest): string => {
    const prompt = text(req);
    if (prompt.startsWith("Memories:")) return /sprint/.test(/Question: (.*)/.exec(prompt)![1]!) ? "March 29" : "I don't know";
    const gold = /^Gold answer: (.*)$/m.exec(prompt)?.[1] ?? "";
    const answer = /^Generated answer: (.*)$/m.exec(prompt)?.[1] ?? "";
    return `{"label": "${gold.includes(answer) ? "CORRECT" : "WRONG"}"}`;
  };

  it.each(["openai-compatible", "anthropic"] as const)("answers and judges every question (%s)", async (kind) => {
    server = await startMockLLMServer({ handler });
    const llm = kind === "anthropic" ? anthropic({ baseUrl: server.url, model: "m", maxRetries: 0 }) : openAICompatible({ baseUrl: `${server.url}/v1`, model: "m", maxRetries: 0 });
    const r = await runBeamQA({ data: dir, budget: 150, llm, judge: llm });
    expect(r.benchmark).toBe("beam-qa");
    expect(r.items).toHaveLength(6);
    expect(r.byType["information_extraction"]).toEqual({ questions: 1, j: 1 });
    expect(r.byType["knowledge_update"]).toEqual({ questions: 1, j: 0 });
    expect(r.errors).toBe(0);
    expect(r.usage.answer.calls).toBe(6);
    expect(server.requests.every((q) => q.api === (kind === "anthropic" ? "anthropic" : "openai"))).toBe(true);
    const follow = server.requests.map(text).find((p) => p.includes("standing instruction or preference: Always format"));
    expect(follow).toBeDefined();
  });
});
