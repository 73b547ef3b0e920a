import { afterEach, describe, expect, it } from "vitest";
import { MnemoError } from "../src/core/errors.js";
import type { Episode } from "../src/core/types.js";
import { EXTRACTION_SYSTEM_PROMPT, LLMExtractor, normalizeDate } from "../src/ingest/extract/llm.js";
import type { ExtractionContext } from "../src/ingest/extract/types.js";
import { openAICompatible } from "../src/providers/llm/openai.js";
import { startMockLLMServer, type MockLLMServer, type MockServerOptions } from "./support/mock-llm-server.js";

let server: MockLLMServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function setup(options: MockServerOptions = {}, extractorOptions: { maxCharsPerCall?: number; concurrency?: number } = {}) {
  server = await startMockLLMServer(options);
  const llm = openAICompatible({ baseUrl: `${server.url}/v1`, model: "mock", maxRetries: 0 });
  return { server, extractor: new LLMExtractor(llm, extractorOptions) };
}

const context: ExtractionContext = { scope: { tenant: "default", userId: "u1" }, knownEntities: [], previous: [] };

function episode(i: number, speaker: string, text: string, extra: Partial<Episode> = {}): Episode {
  const occurredAt = new Date(Date.UTC(2023, 4, 8, 13, 56 + i)).toISOString();
  return {
    id: `ep-${i}`,
    externalId: `D1:${i}`,
    tenant: "default",
    userId: "u1",
    agentId: null,
    sessionId: "s1",
    speaker,
    role: null,
    text,
    attachmentText: null,
    occurredAt,
    recordedAt: occurredAt,
    contentHash: `hash-${i}`,
    segmentId: null,
    seq: i,
    metadata: {},
    ...extra,
  };
}

/** A LoCoMo-like session: messages of ~150 characters alternating between two speakers. */
function session(n: number): Episode[] {
  return Array.from({ length: n }, (_, i) =>
    episode(i + 1, i % 2 === 0 ? "Caroline" : "Melanie", `Message ${i + 1}: I have been thinking about the support group and my plans for the summer, maybe painting by the lake with the kids.`),
  );
}

function userPrompt(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  return messages.filter((m) => m.role === "user").map((m) => m.content).join("\n");
}

const reply = (memories: unknown[]): string => JSON.stringify({ memories });

describe("LLMExtractor", () => {
  it("extracts a 30-message session in at most 2 calls with the documented prompt", async () => {
    const { server, extractor } = await setup({
      handler: () => reply([{ kind: "event", text: "Caroline went to a support group on 7 May 2023.", subject: "Caroline", attribute: null, date: "2023-05-07", sources: [1], entities: [{ name: "Caroline", type: "person" }], importance: 0.8 }]),
    });
    expect(extractor.id).toBe("llm:openai-compatible/mock");
    const episodes = session(30);
    const out = await extractor.extract(episodes, context);
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    expect(server.requests.length).toBeLessThanOrEqual(2);
    const body = server.requests[0]!.body as { messages: { role: string; content: string }[]; response_format?: unknown };
    expect(body.messages[0]).toEqual({ role: "system", content: EXTRACTION_SYSTEM_PROMPT });
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(userPrompt(body)).toContain(`[1] (${episodes[0]!.occurredAt}) Caroline: Message 1:`);
    const all = server.requests.map((r) => userPrompt(r.body)).join("\n");
    for (const e of episodes) expect(all).toContain(`Message ${e.seq}:`);
    expect(out[0]).toEqual({
      kind: "event",
      text: "Caroline went to a support group on 7 May 2023.",
      subject: "Caroline",
      slot: null,
      validFrom: "2023-05-07T00:00:00.000Z",
      sources: ["ep-1"],
      entities: [{ name: "Caroline", type: "person" }],
      importance: 0.8,
      confidence: 0.8,
    });
  });

  it("splits into several calls only when maxCharsPerCall is exceeded, and maps sources per batch", async () => {
    const { server, extractor } = await setup({ handler: () => reply([{ text: "Someone said something.", sources: [2] }]) }, { maxCharsPerCall: 1000, concurrency: 3 });
    const episodes = session(30);
    const out = await extractor.extract(episodes, context);
    const calls = server.requests.length;
    expect(calls).toBeGreaterThan(2);
    expect(calls).toBeLessThan(30);
    expect(out).toHaveLength(calls);
    // each batch's [2] is a different real episode, in batch order
    expect(new Set(out.map((c) => c.sources[0])).size).toBe(calls);
    for (const c of out) expect(episodes.map((e) => e.id)).toContain(c.sources[0]);
    // later batches see the tail of the earlier ones as read-only context
    const prompts = server.requests.map((r) => userPrompt(r.body));
    const firstBatch = `[1] (${episodes[0]!.occurredAt})`;
    for (const p of prompts) {
      if (p.includes(firstBatch)) expect(p).not.toContain("[context]");
      else expect(p).toContain("[context]");
    }
  });

  it("shows previous episodes (at most 6) as context and includes attachments", async () => {
    const { server, extractor } = await setup();
    const previous = Array.from({ length: 8 }, (_, i) => episode(100 + i, "Melanie", `Earlier ${i}`));
    const episodes = [episode(1, "Caroline", "Look at this!", { attachmentText: "a photo of a sunset over a lake" })];
    expect(await extractor.extract(episodes, { ...context, previous })).toEqual([]);
    const prompt = userPrompt(server.requests[0]!.body);
    expect(prompt).not.toContain("Earlier 1");
    expect(prompt).toContain("[context]");
    expect(prompt).toContain("Melanie: Earlier 7");
    expect(prompt.match(/\[context\]/g)).toHaveLength(6);
    expect(prompt).toContain("Caroline: Look at this! [attachment: a photo of a sunset over a lake]");
  });

  it("repairs fenced, damaged JSON without a retry", async () => {
    const damaged = "Here are the memories:\n```json\n{memories: [{'kind': 'preference', 'text': 'Melanie loves painting', subject: 'Melanie', sources: ['2'], importance: '0.6', entities: ['painting'],},]}\n```";
    const { server, extractor } = await setup({ queue: [damaged] });
    const out = await extractor.extract([episode(1, "Caroline", "Hi"), episode(2, "Melanie", "I love painting.")], context);
    expect(server.requests).toHaveLength(1);
    expect(out).toEqual([
      { kind: "preference", text: "Melanie loves painting", subject: "Melanie", slot: null, validFrom: null, sources: ["ep-2"], entities: [{ name: "painting", type: "topic" }], importance: 0.6, confidence: 0.8 },
    ]);
  });

  it("retries once with the error after invalid JSON, then uses the second reply", async () => {
    const { server, extractor } = await setup({ queue: ["I cannot produce JSON, sorry.", reply([{ kind: "fact", text: "Caroline is a counselor.", sources: [1] }])] });
    const out = await extractor.extract([episode(1, "Caroline", "I work as a counselor.")], context);
    expect(server.requests).toHaveLength(2);
    const retryMessages = (server.requests[1]!.body as { messages: { role: string; content: string }[] }).messages;
    expect(retryMessages).toHaveLength(4);
    expect(retryMessages[2]).toEqual({ role: "assistant", content: "I cannot produce JSON, sorry." });
    expect(retryMessages[3]!.content).toMatch(/could not be used/);
    expect(out.map((c) => c.text)).toEqual(["Caroline is a counselor."]);
  });

  it("throws PROVIDER_OUTPUT after two unusable replies", async () => {
    const { server, extractor } = await setup({ queue: ["nope", '{"result": "no memories key"}'] });
    let error: unknown;
    try {
      await extractor.extract([episode(1, "Caroline", "Hello")], context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MnemoError);
    expect((error as MnemoError).code).toBe("PROVIDER_OUTPUT");
    expect(server.requests).toHaveLength(2);
  });

  it("retries when no item of the reply is valid", async () => {
    const { server, extractor } = await setup({ queue: [reply([{ kind: "fact" }, { text: "" }]), reply([{ text: "Caroline is 30.", sources: [1] }])] });
    const out = await extractor.extract([episode(1, "Caroline", "I'm 30.")], context);
    expect(server.requests).toHaveLength(2);
    expect(out).toHaveLength(1);
  });

  it("drops items with bad source indexes or invalid shape and keeps the valid ones", async () => {
    const { extractor } = await setup({
      queue: [
        reply([
          { kind: "fact", text: "Valid one.", sources: [1, 3, 1] },
          { kind: "fact", text: "Cites nothing real.", sources: [0, 9] },
          { kind: "fact", text: "Cites nothing.", sources: [] },
          { kind: "fact", text: "No sources at all." },
          { kind: "fact", text: 42, sources: [1] },
          "not an object",
          { kind: "weird-kind", text: "Unknown kind becomes fact.", sources: ["[2]"], importance: 7, date: "yesterday", entities: [{ name: "Boston", type: "city" }, { type: "person" }] },
        ]),
      ],
    });
    const episodes = [episode(1, "Caroline", "a"), episode(2, "Melanie", "b"), episode(3, "Caroline", "c")];
    const out = await extractor.extract(episodes, context);
    expect(out.map((c) => c.text)).toEqual(["Valid one.", "Unknown kind becomes fact."]);
    expect(out[0]!.sources).toEqual(["ep-1", "ep-3"]);
    expect(out[1]).toMatchObject({ kind: "fact", sources: ["ep-2"], importance: 0.7, validFrom: null, entities: [{ name: "Boston", type: "place" }] });
  });

  it("builds slot from subject + attribute and normalises dates", async () => {
    const { extractor } = await setup({
      queue: [
        reply([
          { kind: "profile", text: "Caroline lives in Boston.", subject: "Caroline", attribute: "lives_in", date: "2023-05", sources: [1] },
          { kind: "profile", text: "Melanie works as a nurse.", subject: "Melanie", attribute: "Job Title", date: "2023-02-30", sources: [2] },
          { kind: "fact", text: "Caroline has a dog.", subject: "Caroline", attribute: "null", date: null, sources: [1] },
          { kind: "fact", text: "Someone moved.", subject: null, attribute: "lives_in", sources: [2] },
        ]),
      ],
    });
    const out = await extractor.extract([episode(1, "Caroline", "I live in Boston now."), episode(2, "Melanie", "I'm a nurse.")], context);
    expect(out.map((c) => c.slot)).toEqual(["caroline|lives_in", "melanie|job_title", null, null]);
    expect(out.map((c) => c.validFrom)).toEqual(["2023-05-01T00:00:00.000Z", null, null, null]);
  });

  it("returns [] for no episodes without calling the model", async () => {
    const { server, extractor } = await setup();
    expect(await extractor.extract([], context)).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it("normalizeDate accepts ISO forms and rejects the rest", () => {
    expect(normalizeDate("2023-05-07")).toBe("2023-05-07T00:00:00.000Z");
    expect(normalizeDate("2023")).toBe("2023-01-01T00:00:00.000Z");
    expect(normalizeDate("2023-05-07T10:00:00Z")).toBe("2023-05-07T10:00:00.000Z");
    expect(normalizeDate("last week")).toBeNull();
    expect(normalizeDate("2023-13-01")).toBeNull();
    expect(normalizeDate(null)).toBeNull();
  });
});
