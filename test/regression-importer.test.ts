/**
 * The LoCoMo importer on the real dev file (read at test time from ../shared) and on
 * malformed input.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLocomo, readLocomo } from "../src/importers/locomo.js";
import { expectCode, LOCOMO_PATH } from "./support/fixtures.js";

describe("LoCoMo importer", () => {
  it("parses every conversation of the dev file: ordered sessions, UTC dates, unique turn ids", () => {
    const raw = JSON.parse(readFileSync(LOCOMO_PATH, "utf8")) as Array<{ sample_id: string; conversation: Record<string, unknown> }>;
    const convs = readLocomo(LOCOMO_PATH);
    expect(convs.map((c) => c.sampleId)).toEqual(raw.map((r) => r.sample_id));
    for (const [i, c] of convs.entries()) {
      const conv = raw[i]!.conversation;
      expect(c.speakers).toEqual([conv.speaker_a, conv.speaker_b]);
      const sessionKeys = Object.keys(conv).filter((k) => /^session_\d+$/.test(k));
      expect(c.sessions).toHaveLength(sessionKeys.length);
      const ids = new Set<string>();
      let prev = "";
      for (const [n, s] of c.sessions.entries()) {
        expect(s.sessionId).toBe(`session_${n + 1}`);
        expect(s.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
        expect(s.date >= prev, `${c.sampleId} ${s.sessionId} goes back in time`).toBe(true);
        prev = s.date;
        const turns = conv[s.sessionId] as Array<{ dia_id: string; text: string; speaker: string; blip_caption?: string }>;
        expect(s.messages).toHaveLength(turns.length);
        for (const [j, m] of s.messages.entries()) {
          expect(m.id).toBe(turns[j]!.dia_id);
          expect(m.content).toBe(turns[j]!.text);
          expect(m.speaker).toBe(turns[j]!.speaker);
          expect(m.attachmentText).toBe(turns[j]!.blip_caption);
          expect(m.occurredAt).toBe(s.date);
          expect(m.sessionId).toBe(s.sessionId);
          expect(ids.has(m.id!), m.id).toBe(false);
          ids.add(m.id!);
        }
      }
      expect(c.qa.length).toBeGreaterThan(0);
    }
    // The first session of conv-26 is "1:56 pm on 8 May, 2023".
    expect(convs[0]!.sessions[0]!.date).toBe("2023-05-08T13:56:00.000Z");
  });

  it("selects conversations and rejects unknown ones", async () => {
    expect(readLocomo(LOCOMO_PATH, ["conv-30"]).map((c) => c.sampleId)).toEqual(["conv-30"]);
    const err = await expectCode(() => readLocomo(LOCOMO_PATH, ["conv-26", "conv-999"]), "INVALID_INPUT");
    expect(err.message).toContain("conv-999");
  });

  it("rejects malformed files with typed errors", async () => {
    const good = { sample_id: "s1", conversation: { speaker_a: "A", speaker_b: "B", session_1_date_time: "1:56 pm on 8 May, 2023", session_1: [{ speaker: "A", dia_id: "D1:1", text: "hi" }] }, qa: [] };
    expect(parseLocomo(JSON.stringify([good]))[0]!.sessions[0]!.messages).toHaveLength(1);
    await expectCode(() => parseLocomo("{not json"), "INVALID_JSON");
    await expectCode(() => parseLocomo(JSON.stringify({ sample_id: "x" })), "INVALID_INPUT");
    await expectCode(() => parseLocomo(JSON.stringify([{ conversation: {} }])), "INVALID_INPUT");
    await expectCode(() => parseLocomo(JSON.stringify([{ ...good, conversation: { ...good.conversation, session_1_date_time: "someday" } }])), "INVALID_DATE");
    await expectCode(() => parseLocomo(JSON.stringify([{ ...good, conversation: { ...good.conversation, session_1_date_time: undefined } }])), "INVALID_INPUT");
    await expectCode(() => parseLocomo(JSON.stringify([{ ...good, conversation: { ...good.conversation, session_1: [{ speaker: "A", text: "no id" }] } }])), "INVALID_INPUT");
    await expectCode(() => parseLocomo(JSON.stringify([{ ...good, conversation: { ...good.conversation, session_1: "not turns" } }])), "INVALID_INPUT");
    await expectCode(() => readLocomo("/nonexistent/locomo.json"), "INVALID_INPUT");
  });
});
