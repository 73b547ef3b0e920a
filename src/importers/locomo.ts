import { readFileSync } from "node:fs";
import { z } from "zod";
import { MnemoError } from "../core/errors.js";
import { parseDate } from "../core/time.js";
import type { MessageInput, RememberResult } from "../core/types.js";

const turnSchema = z.object({
  speaker: z.string().min(1),
  dia_id: z.string().min(1),
  text: z.string(),
  blip_caption: z.string().optional(),
  img_url: z.union([z.string(), z.array(z.string())]).optional(),
  query: z.string().optional(),
});

const qaSchema = z.object({
  question: z.string(),
  answer: z.unknown().optional(),
  adversarial_answer: z.unknown().optional(),
  evidence: z.array(z.string()).default([]),
  category: z.number().int(),
});

const sampleSchema = z.object({
  sample_id: z.string().min(1),
  conversation: z.record(z.string(), z.unknown()),
  qa: z.array(qaSchema).default([]),
});

/**
 * One LoCoMo session: its id, date and turns as Mnemo messages.
 *
 * @example
 * ```ts
 * const s: LocomoSession = { sessionId: "session_1", date: "2023-05-08T13:56:00.000Z", messages: [{ id: "D1:1", speaker: "Caroline", content: "Hey Mel!", sessionId: "session_1" }] };
 * ```
 */
export interface LocomoSession {
  sessionId: string;
  date: string;
  messages: MessageInput[];
}

/**
 * One LoCoMo conversation (becomes the user scope named by its sample_id).
 *
 * @example
 * ```ts
 * const [conv] = readLocomo("locomo-dev.json", ["conv-26"]);
 * const c: LocomoConversation = conv!; // c.speakers, c.sessions, c.qa
 * ```
 */
export interface LocomoConversation {
  sampleId: string;
  speakers: [string, string];
  sessions: LocomoSession[];
  qa: Array<z.infer<typeof qaSchema>>;
}

/**
 * Parses LoCoMo-format JSON (the shape of the public `locomo10.json`). Each turn becomes a
 * message whose id is its `dia_id` ("D1:3"), at its session's date-time; image captions
 * become attachment text. Throws INVALID_JSON / INVALID_INPUT / INVALID_DATE on bad input.
 *
 * @example
 * ```ts
 * const convs = parseLocomo(fs.readFileSync("locomo10.json", "utf8"), ["conv-26"]);
 * ```
 */
export function parseLocomo(text: string, only?: string[]): LocomoConversation[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MnemoError("INVALID_JSON", (e as Error).message);
  }
  const samples = z.array(sampleSchema).safeParse(raw);
  if (!samples.success) {
    const i = samples.error.issues[0];
    throw new MnemoError("INVALID_INPUT", `Not LoCoMo JSON: ${i?.path.join(".")}: ${i?.message}`, { hint: "Expected an array of {sample_id, conversation, qa} as in locomo10.json." });
  }
  const want = only && only.length ? new Set(only) : null;
  if (want) {
    const have = new Set(samples.data.map((s) => s.sample_id));
    const missing = [...want].filter((w) => !have.has(w));
    if (missing.length) throw new MnemoError("INVALID_INPUT", `Unknown conversation(s): ${missing.join(", ")}. Available: ${[...have].join(", ")}.`);
  }
  return samples.data
    .filter((s) => !want || want.has(s.sample_id))
    .map((s) => {
      const conv = s.conversation;
      const a = typeof conv.speaker_a === "string" ? conv.speaker_a : "A";
      const b = typeof conv.speaker_b === "string" ? conv.speaker_b : "B";
      const nums = Object.keys(conv)
        .map((k) => /^session_(\d+)$/.exec(k)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((x, y) => x - y);
      const sessions: LocomoSession[] = nums.map((n) => {
        const when = conv[`session_${n}_date_time`];
        if (typeof when !== "string") throw new MnemoError("INVALID_INPUT", `${s.sample_id}: session_${n}_date_time is missing.`);
        const date = parseDate(when, `${s.sample_id}.session_${n}_date_time`);
        const turns = z.array(turnSchema).safeParse(conv[`session_${n}`]);
        if (!turns.success) throw new MnemoError("INVALID_INPUT", `${s.sample_id}.session_${n}: ${turns.error.issues[0]?.path.join(".")}: ${turns.error.issues[0]?.message}`);
        return {
          sessionId: `session_${n}`,
          date,
          messages: turns.data.map((t) => ({
            id: t.dia_id,
            speaker: t.speaker,
            content: t.text,
            attachmentText: t.blip_caption,
            occurredAt: date,
            sessionId: `session_${n}`,
          })),
        };
      });
      return { sampleId: s.sample_id, speakers: [a, b] as [string, string], sessions, qa: s.qa };
    });
}

/**
 * Reads and parses a LoCoMo file.
 *
 * @example
 * ```ts
 * const [conv] = readLocomo("../shared/data/locomo/locomo-dev.json", ["conv-26"]);
 * conv?.sessions.length; // number of sessions of conv-26
 * ```
 */
export function readLocomo(path: string, only?: string[]): LocomoConversation[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new MnemoError("INVALID_INPUT", `Cannot read ${path}: ${(e as Error).message}`);
  }
  return parseLocomo(text, only);
}

/**
 * Remembers a whole LoCoMo conversation as its `sampleId` user, in one batch (one
 * transaction; each message keeps its session id and date). One batch per conversation
 * is what makes bulk import fast: the per-call work (duplicate checks, segment
 * continuation, entity and memory indexes, the commit) is paid once.
 *
 * @example
 * ```ts
 * for (const conv of readLocomo(path)) await rememberConversation(mnemo, conv);
 * ```
 */
export async function rememberConversation(
  mnemo: { remember(messages: MessageInput[], scope: { userId: string }): Promise<RememberResult> },
  conv: LocomoConversation,
): Promise<RememberResult> {
  return mnemo.remember(
    conv.sessions.flatMap((s) => s.messages),
    { userId: conv.sampleId },
  );
}
