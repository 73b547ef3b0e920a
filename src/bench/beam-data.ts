/**
 * Reading BEAM (Tavakoli et al., "Beyond a Million Tokens"; mohammadtavakoli78/BEAM)
 * chats: `<dir>/<n>/chat.json`, `<dir>/<n>/probing_questions/probing_questions.json`,
 * `<dir>/<n>/topic.json` (format in ../shared/README.md).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MnemoError } from "../core/errors.js";
import type { MessageInput } from "../core/types.js";
import type { BenchTurn } from "./baselines.js";
import { goldAnswerText } from "./locomo.js";

/**
 * The ten BEAM question types, in table order.
 *
 * @example
 * ```ts
 * BEAM_TYPES.includes("knowledge_update"); // true
 * ```
 */
export const BEAM_TYPES = [
  "abstention",
  "contradiction_resolution",
  "event_ordering",
  "information_extraction",
  "instruction_following",
  "knowledge_update",
  "multi_session_reasoning",
  "preference_following",
  "summarization",
  "temporal_reasoning",
] as const;

/**
 * Question types that test a standing instruction or preference instead of a reference answer.
 *
 * @example
 * ```ts
 * FOLLOWING_TYPES.has("preference_following"); // true
 * ```
 */
export const FOLLOWING_TYPES: ReadonlySet<string> = new Set(["instruction_following", "preference_following"]);

/**
 * One BEAM message, cleaned: marker stripped, date resolved.
 *
 * @example
 * ```ts
 * const m: BeamMessage = { id: "0", role: "user", content: "I'm working on a project…", occurredAt: "2024-03-15T09:00:00.000Z", batch: 1 };
 * ```
 */
export interface BeamMessage {
  /** The message id within the chat (as a string). */
  id: string;
  role: "user" | "assistant";
  content: string;
  /** ISO 8601: the last `time_anchor` seen (the first one for messages before it), plus 10 s per message of that date. */
  occurredAt: string;
  batch: number;
}

/**
 * One probing question with the text it is scored against.
 *
 * @example
 * ```ts
 * const q: BeamQuestion = { type: "information_extraction", question: "When does my first sprint end?", reference: "My first sprint ends on March 29.", following: false, sourceIds: ["28"] };
 * ```
 */
export interface BeamQuestion {
  type: string;
  question: string;
  /** `answer` / `ideal_answer` / `ideal_response` / `ideal_summary`, or for the following types the instruction / preference being tested. */
  reference: string;
  /** True for instruction_following / preference_following (reference = the instruction or preference). */
  following: boolean;
  /** `source_chat_ids` as strings (may be empty). */
  sourceIds: string[];
}

/**
 * One BEAM chat.
 *
 * @example
 * ```ts
 * const chat: BeamChat = readBeam("../shared/data/beam/100K", ["1"])[0]!;
 * ```
 */
export interface BeamChat {
  /** The directory name ("1" … "20"). */
  id: string;
  topic: string;
  messages: BeamMessage[];
  questions: BeamQuestion[];
}

const MARKER_RE = /\s*->->\s*[\w/]+(?:\s*,\s*[\w/]+)*\s*$/;

/**
 * Removes BEAM's trailing ` ->-> batch,turn` marker (not part of what the user said).
 *
 * @example
 * ```ts
 * stripBeamMarker("Can you help me? ->-> 1,1"); // "Can you help me?"
 * stripBeamMarker("an example ->-> 2,N/A"); // "an example"
 * ```
 */
export function stripBeamMarker(content: string): string {
  return content.replace(MARKER_RE, "");
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/**
 * Parses a BEAM time anchor ("March-15-2024") to a UTC date at 09:00; null when unreadable.
 *
 * @example
 * ```ts
 * parseTimeAnchor("March-15-2024")?.toISOString(); // "2024-03-15T09:00:00.000Z"
 * ```
 */
export function parseTimeAnchor(anchor: unknown): Date | null {
  if (typeof anchor !== "string") return null;
  const m = /^([A-Za-z]+)[-\s]+(\d{1,2})[-,\s]+(\d{4})$/.exec(anchor.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  if (month < 0) return null;
  return new Date(Date.UTC(Number(m[3]), month, Number(m[2]), 9));
}

type Raw = Record<string, unknown>;

function bad(msg: string): MnemoError {
  return new MnemoError("INVALID_INPUT", msg, { hint: "Expected BEAM's layout: <dir>/<n>/chat.json and <dir>/<n>/probing_questions/probing_questions.json." });
}

/**
 * Parses one chat from its parsed JSON files.
 *
 * @throws MnemoError("INVALID_INPUT") when `chat` is not a list of batches with turns.
 * @example
 * ```ts
 * const chat = parseBeamChat("1", JSON.parse(chatJson), JSON.parse(questionsJson), "budget tracker");
 * ```
 */
export function parseBeamChat(id: string, chat: unknown, questions: unknown, topic = ""): BeamChat {
  if (!Array.isArray(chat)) throw bad(`BEAM chat ${id}: chat.json is not a list of batches.`);
  const flat: Array<{ m: Raw; batch: number }> = [];
  chat.forEach((b: Raw, bi) => {
    if (typeof b !== "object" || b === null || !Array.isArray(b["turns"])) throw bad(`BEAM chat ${id}: batch ${bi} has no turns.`);
    const batch = typeof b["batch_number"] === "number" ? b["batch_number"] : bi + 1;
    for (const turn of b["turns"] as unknown[]) for (const m of Array.isArray(turn) ? turn : [turn]) if (typeof m === "object" && m !== null) flat.push({ m: m as Raw, batch });
  });
  const first = flat.map((f) => parseTimeAnchor(f.m["time_anchor"])).find((d) => d !== null) ?? new Date(Date.UTC(2024, 0, 1, 9));
  let anchor = first;
  let step = 0;
  const messages: BeamMessage[] = [];
  flat.forEach(({ m, batch }, i) => {
    const a = parseTimeAnchor(m["time_anchor"]);
    if (a && a.getTime() !== anchor.getTime()) (anchor = a), (step = 0);
    const role = m["role"] === "assistant" ? "assistant" : "user";
    const content = typeof m["content"] === "string" ? stripBeamMarker(m["content"]) : "";
    if (content.trim() === "") return;
    messages.push({ id: m["id"] === undefined ? `m${i}` : String(m["id"]), role, content, occurredAt: new Date(anchor.getTime() + 10_000 * step++).toISOString(), batch });
  });
  const qs: BeamQuestion[] = [];
  if (typeof questions === "object" && questions !== null) {
    for (const [type, list] of Object.entries(questions as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const q of list as Raw[]) {
        if (typeof q?.["question"] !== "string") continue;
        const following = FOLLOWING_TYPES.has(type);
        const ref = following
          ? (q["instruction_being_tested"] ?? q["preference_being_tested"])
          : (q["answer"] ?? q["ideal_answer"] ?? q["ideal_response"] ?? q["ideal_summary"]);
        const sourceIds = Array.isArray(q["source_chat_ids"]) ? (q["source_chat_ids"] as unknown[]).map(String) : [];
        qs.push({ type, question: q["question"], reference: goldAnswerText(ref), following, sourceIds });
      }
    }
  }
  return { id, topic, messages, questions: qs };
}

/**
 * Reads BEAM chats from a directory of numbered chat folders (all, or only `only`), in numeric order.
 *
 * @throws MnemoError("INVALID_INPUT") for a missing directory, an unknown chat or a malformed file.
 * @example
 * ```ts
 * const chats = readBeam("../shared/data/beam/100K", ["1", "2"]);
 * ```
 */
export function readBeam(dir: string, only?: string[]): BeamChat[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw bad(`No BEAM directory at ${dir}.`);
  const ids = readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, "chat.json")))
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  if (ids.length === 0) throw bad(`No chat folders (<n>/chat.json) in ${dir}.`);
  const missing = (only ?? []).filter((id) => !ids.includes(id));
  if (missing.length) throw new MnemoError("INVALID_INPUT", `Unknown BEAM chat(s): ${missing.join(", ")}. Available: ${ids.join(", ")}.`);
  return ids
    .filter((id) => !only?.length || only.includes(id))
    .map((id) => {
      const read = (p: string): unknown => {
        const f = join(dir, id, p);
        if (!existsSync(f)) return undefined;
        try {
          return JSON.parse(readFileSync(f, "utf8")) as unknown;
        } catch (e) {
          throw bad(`BEAM chat ${id}: ${p} is not JSON (${(e as Error).message}).`);
        }
      };
      const topic = read("topic.json");
      return parseBeamChat(id, read("chat.json"), read("probing_questions/probing_questions.json"), typeof topic === "string" ? topic : topic ? JSON.stringify(topic) : "");
    });
}

/**
 * The messages of a chat as Mnemo ingests them: roles kept, ids and dates from BEAM,
 * one session per batch.
 *
 * @example
 * ```ts
 * await mnemo.remember(beamMessages(chat), { userId: `beam-${chat.id}` });
 * ```
 */
export function beamMessages(chat: BeamChat): MessageInput[] {
  return chat.messages.map((m) => ({ id: m.id, role: m.role, content: m.content, occurredAt: m.occurredAt, sessionId: `batch-${m.batch}` }));
}

/**
 * The turns of a chat as the baselines see them (speaker = the role).
 *
 * @example
 * ```ts
 * const bm25 = createTurnBaseline("bm25-turns", beamTurns(chat));
 * ```
 */
export function beamTurns(chat: BeamChat): BenchTurn[] {
  return chat.messages.map((m) => ({ id: m.id, sessionId: `batch-${m.batch}`, speaker: m.role, text: m.content, occurredAt: m.occurredAt }));
}

/**
 * Options of the Mnemo a BEAM run ingests into: BEAM has single messages of up to ~350,000
 * characters (pasted code and logs), above the default `maxMessageChars` (100,000); the
 * bench raises the limit so every message is kept whole, as the baselines see it.
 *
 * @example
 * ```ts
 * const t = await openTempMnemo("mnemo-beam-", undefined, BEAM_MNEMO_OPTIONS);
 * ```
 */
export const BEAM_MNEMO_OPTIONS = { maxMessageChars: 1_000_000 } as const;
