/**
 * `mnemo-memory/ai-sdk` with the real `ai` package (v6) and its MockLanguageModelV3, on a real
 * Mnemo over a temporary SQLite file: recall injected as a system message, the exchange
 * remembered after generateText and streamText, per-call user override, async storing, and
 * the `remember` / `recall` tools driven by a tool-calling loop.
 */
import { generateText, simulateReadableStream, stepCountIs, streamText, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Mnemo } from "../src/index.js";
import { lastUserText, mnemoMiddleware, mnemoTools } from "../src/integrations/ai-sdk.js";

const dir = mkdtempSync(join(tmpdir(), "mnemo-ai-sdk-"));
let mnemo: Mnemo;

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const stop = { unified: "stop" as const, raw: undefined };

function textModel(reply: string): MockLanguageModelV3 {
  return new MockLanguageModelV3({ doGenerate: async () => ({ content: [{ type: "text", text: reply }], finishReason: stop, usage, warnings: [] }) });
}

type Prompt = MockLanguageModelV3["doGenerateCalls"][number]["prompt"];
const systemTexts = (p: Prompt): string[] => p.filter((m) => m.role === "system").map((m) => m.content as string);

beforeAll(async () => {
  mnemo = await Mnemo.open({ path: join(dir, "ai.db") });
  await mnemo.remember(
    [
      { id: "a1", speaker: "alice", role: "user", content: "I moved to Lisbon in March 2024 for a new job.", occurredAt: "2024-04-02T10:00:00Z" },
      { id: "a2", speaker: "alice", role: "user", content: "I'm allergic to peanuts.", occurredAt: "2024-04-02T10:01:00Z" },
    ],
    { userId: "alice" },
  );
});
afterAll(async () => {
  await mnemo.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("mnemoMiddleware (wrapLanguageModel)", () => {
  it("injects recalled context as a system message after the caller's system prompt, then remembers the exchange", async () => {
    const inner = textModel("You live in Lisbon.");
    const model = wrapLanguageModel({ model: inner, middleware: mnemoMiddleware({ mnemo, userId: "alice", budgetTokens: 200 }) });
    const before = await mnemo.stats({ userId: "alice" });
    const { text } = await generateText({ model, system: "You are helpful.", prompt: "Where do I live now?" });
    expect(text).toBe("You live in Lisbon.");
    const prompt = inner.doGenerateCalls[0]!.prompt;
    expect(prompt[0]).toEqual({ role: "system", content: "You are helpful." });
    expect(prompt[1]!.role).toBe("system");
    expect(systemTexts(prompt)[1]).toContain("Lisbon");
    expect(prompt.at(-1)!.role).toBe("user");
    const after = await mnemo.stats({ userId: "alice" });
    expect(after.episodes).toBe(before.episodes + 2);
    const r = await mnemo.recall("Where does alice live?", { userId: "alice", budgetTokens: 300 });
    expect(r.context).toContain("live in Lisbon"); // the reply, stored as an assistant turn
  });

  it("store: 'user' keeps only the user's message; 'none' keeps nothing; recallDisabled injects nothing", async () => {
    const base = (await mnemo.stats({ userId: "alice" })).episodes;
    const userOnly = wrapLanguageModel({ model: textModel("ok"), middleware: mnemoMiddleware({ mnemo, userId: "alice", store: "user" }) });
    await generateText({ model: userOnly, prompt: "My sister Ana visits in June." });
    expect((await mnemo.stats({ userId: "alice" })).episodes).toBe(base + 1);
    const inner = textModel("ok");
    const none = wrapLanguageModel({ model: inner, middleware: mnemoMiddleware({ mnemo, userId: "alice", store: "none", recallDisabled: true }) });
    await generateText({ model: none, prompt: "What am I allergic to?" });
    expect((await mnemo.stats({ userId: "alice" })).episodes).toBe(base + 1);
    expect(systemTexts(inner.doGenerateCalls[0]!.prompt)).toEqual([]);
  });

  it("an unknown user gets no system message (and the call still works)", async () => {
    const inner = textModel("Hello!");
    const model = wrapLanguageModel({ model: inner, middleware: mnemoMiddleware({ mnemo, userId: "nobody-yet", store: "none" }) });
    expect((await generateText({ model, prompt: "Hi there" })).text).toBe("Hello!");
    expect(systemTexts(inner.doGenerateCalls[0]!.prompt)).toEqual([]);
  });

  it("providerOptions.mnemo.userId overrides the user per call", async () => {
    const inner = textModel("Noted.");
    const model = wrapLanguageModel({ model: inner, middleware: mnemoMiddleware({ mnemo, userId: "default-user" }) });
    await generateText({ model, prompt: "I play the cello every Sunday.", providerOptions: { mnemo: { userId: "bob" } } });
    expect((await mnemo.stats({ userId: "bob" })).episodes).toBe(2);
    expect((await mnemo.stats({ userId: "default-user" })).episodes).toBe(0);
  });

  it("streamText: context injected, the streamed reply remembered when the stream ends", async () => {
    const inner = new MockLanguageModelV3({
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: [
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", delta: "Avoid " },
            { type: "text-delta", id: "t", delta: "peanut sauce." },
            { type: "text-end", id: "t" },
            { type: "finish", finishReason: stop, usage },
          ],
        }),
      }),
    });
    const model = wrapLanguageModel({ model: inner, middleware: mnemoMiddleware({ mnemo, userId: "alice", sessionId: "stream-1" }) });
    const result = streamText({ model, prompt: "Any food I should avoid?" });
    expect(await result.text).toBe("Avoid peanut sauce.");
    expect(systemTexts(inner.doStreamCalls[0]!.prompt).join("\n")).toContain("peanuts");
    const r = await mnemo.recall("peanut sauce", { userId: "alice", budgetTokens: 300, filters: { sessionId: "stream-1" } });
    expect(r.context).toContain("Avoid peanut sauce.");
  });

  it("async: true returns before remembering finishes and reports background errors to onError", async () => {
    const errors: unknown[] = [];
    const failing = { recall: mnemo.recall.bind(mnemo), remember: async () => Promise.reject(new Error("disk full")) };
    const model = wrapLanguageModel({ model: textModel("fine"), middleware: mnemoMiddleware({ mnemo: failing, userId: "alice", async: true, onError: (e) => errors.push(e) }) });
    expect((await generateText({ model, prompt: "hello" })).text).toBe("fine");
    await new Promise((r) => setTimeout(r, 10));
    expect(errors.map((e) => (e as Error).message)).toEqual(["disk full"]);
  });

  it("lastUserText reads the last user message's text parts", () => {
    expect(lastUserText([{ role: "user", content: [{ type: "text", text: "first" }] }, { role: "assistant", content: [{ type: "text", text: "x" }] }, { role: "user", content: [{ type: "text", text: "second" }] }])).toBe("second");
    expect(lastUserText([{ role: "system", content: "s" }])).toBeNull();
  });
});

describe("mnemoTools (tool-calling agents)", () => {
  it("the model calls remember, then recall, and gets the stored fact back", async () => {
    let step = 0;
    const inner = new MockLanguageModelV3({
      doGenerate: async () => {
        step++;
        if (step === 1) return { content: [{ type: "tool-call", toolCallId: "c1", toolName: "remember", input: JSON.stringify({ content: "I am training for the Berlin marathon in September." }) }], finishReason: { unified: "tool-calls", raw: undefined }, usage, warnings: [] };
        if (step === 2) return { content: [{ type: "tool-call", toolCallId: "c2", toolName: "recall", input: JSON.stringify({ query: "Which marathon is the user training for?" }) }], finishReason: { unified: "tool-calls", raw: undefined }, usage, warnings: [] };
        return { content: [{ type: "text", text: "Berlin." }], finishReason: stop, usage, warnings: [] };
      },
    });
    const result = await generateText({ model: inner, tools: mnemoTools({ mnemo, userId: "carol", budgetTokens: 200 }), stopWhen: stepCountIs(5), prompt: "Remember my marathon, then tell me which one it is." });
    expect(result.text).toBe("Berlin.");
    const toolResults = result.steps.flatMap((s) => s.toolResults);
    expect(toolResults.map((t) => t.toolName)).toEqual(["remember", "recall"]);
    expect(toolResults[0]!.output).toMatchObject({ stored: true });
    expect((toolResults[1]!.output as { context: string }).context).toContain("Berlin marathon");
  });

  it("bad tool input is rejected by the schema (an empty query never reaches Mnemo)", async () => {
    const inner = new MockLanguageModelV3({
      doGenerate: async () => ({ content: [{ type: "tool-call", toolCallId: "c1", toolName: "recall", input: JSON.stringify({ query: "" }) }], finishReason: { unified: "tool-calls", raw: undefined }, usage, warnings: [] }),
    });
    const result = await generateText({ model: inner, tools: mnemoTools({ mnemo, userId: "carol" }), prompt: "x" });
    const parts = result.steps[0]!.content.map((c) => c.type);
    expect(parts).toContain("tool-error");
  });
});
