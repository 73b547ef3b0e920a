/**
 * The LLM extractor: asks a chat model to distil a batch of episodes into
 * candidate memories, as JSON, with repair and one retry.
 */
import { z } from "zod";
import { MnemoError } from "../../core/errors.js";
import { MEMORY_KINDS, SENSITIVITY_CATEGORIES, type EntityType, type Episode } from "../../core/types.js";
import { parseJsonLoose } from "../../providers/llm/json.js";
import type { ChatMessage, LLM } from "../../providers/llm/types.js";
import type { CandidateMemory, EntityMention, ExtractionContext, Extractor } from "./types.js";

/**
 * The system prompt of {@link LLMExtractor}, quoted verbatim in the docs.
 *
 * @example
 * ```ts
 * const messages = [{ role: "system", content: EXTRACTION_SYSTEM_PROMPT }, { role: "user", content: buildExtractionPrompt(episodes, []) }];
 * ```
 */
export const EXTRACTION_SYSTEM_PROMPT = `You extract long-term memories from a conversation for a personal memory system.
Each message is listed as: [n] (ISO timestamp) Speaker: text [attachment: description]
Write down everything worth remembering about the people in the conversation: facts, events, preferences, profile details (job, home, family, relationships, age) and instructions they gave.
Rules:
- Each memory is one self-contained sentence in the third person that names the person ("Caroline moved to Boston", never "I moved" or "she moved").
- Resolve relative dates ("yesterday", "last week", "next month") against the timestamp of the message into absolute dates ("on 7 May 2023", "in the week before 8 May 2023"), and put the event's date in "date" as YYYY-MM-DD (or null when unknown).
- "kind" is one of: fact, event, preference, profile, instruction, summary.
- "subject" is the name of the person or thing the memory is about, or null.
- "attribute" is a short snake_case name for single-valued facts that a later fact would replace (lives_in, job, employer, relationship_status, age, pet_name), else null.
- "sources" lists the [n] numbers of the messages the memory comes from. Only cite numbered messages; messages marked "context" are for understanding only.
- "entities" lists the people, places, organizations, objects and topics mentioned.
- "importance" is 0..1: 0.9 for identity, health, relationships and big life events; 0.5 for ordinary facts; 0.2 for small talk.
- "sensitivity" lists the sensitive categories the memory touches: health, sexuality, religion, politics, ethnicity, union, genetic, finances, criminal, credentials; [] when none. Never copy a password, PIN, code or key into "text".
- Skip greetings, filler and questions that state nothing. Do not invent anything.
Reply with JSON only, no prose, in exactly this shape:
{"memories":[{"kind":"fact|event|preference|profile|instruction|summary","text":"third-person self-contained sentence with absolute dates","subject":"name or null","attribute":"short attribute for single-valued facts like lives_in, job, relationship_status or null","date":"ISO date of the event or null","sources":[1],"entities":[{"name":"...","type":"person|place|organization|object|topic"}],"importance":0.5,"sensitivity":[]}]}
If there is nothing worth remembering, reply {"memories":[]}.`;

/**
 * The user prompt template of {@link LLMExtractor}; `{{context}}` and `{{messages}}`
 * are replaced by {@link buildExtractionPrompt}.
 *
 * @example
 * ```ts
 * EXTRACTION_USER_TEMPLATE.replace("{{context}}", "(none)").replace("{{messages}}", "[1] (2023-05-08T13:56:00Z) Caroline: Hi");
 * ```
 */
export const EXTRACTION_USER_TEMPLATE = `Earlier messages (context only, do not cite):
{{context}}

Messages to extract memories from:
{{messages}}

Reply with the JSON object.`;

/**
 * The follow-up sent once when the first reply cannot be used; `{{error}}` is replaced by the problem.
 *
 * @example
 * ```ts
 * EXTRACTION_RETRY_PROMPT.replace("{{error}}", "memories must be an array");
 * ```
 */
export const EXTRACTION_RETRY_PROMPT = `Your reply could not be used: {{error}}
Reply again with only the JSON object {"memories":[...]} in the shape described, with no prose and no code fences.`;

/** How many earlier episodes are shown as read-only context. */
const MAX_CONTEXT_EPISODES = 6;
const ENTITY_TYPES: Readonly<Record<string, EntityType>> = {
  person: "person", people: "person", human: "person", character: "person",
  place: "place", location: "place", city: "place", country: "place",
  organization: "organization", organisation: "organization", org: "organization", company: "organization",
  object: "object", thing: "object", item: "object", product: "object",
  topic: "topic", concept: "topic", event: "topic", activity: "topic",
};

/**
 * One episode as a prompt line: `[n] (ISO occurredAt) Speaker: text [attachment: ...]`
 * (context lines use `[context]` instead of a number). Newlines are folded to spaces.
 *
 * @example
 * ```ts
 * formatEpisodeLine(episode, 1); // "[1] (2023-05-08T13:56:00Z) Caroline: I went to a support group yesterday."
 * ```
 */
export function formatEpisodeLine(episode: Episode, n: number | null, maxChars = Infinity): string {
  const fold = (s: string): string => s.replace(/\s*\n\s*/g, " ").trim();
  let line = `${n === null ? "[context]" : `[${n}]`} (${episode.occurredAt}) ${fold(episode.speaker) || "unknown"}: ${fold(episode.text)}`;
  if (episode.attachmentText) line += ` [attachment: ${fold(episode.attachmentText)}]`;
  return line.length > maxChars ? `${line.slice(0, Math.max(0, maxChars - 1))}…` : line;
}

/**
 * The user prompt for one batch: `previous` as context lines, `episodes` numbered from 1.
 *
 * @example
 * ```ts
 * const prompt = buildExtractionPrompt(batch, context.previous.slice(-6));
 * ```
 */
export function buildExtractionPrompt(episodes: Episode[], previous: Episode[], maxCharsPerLine = Infinity): string {
  const context = previous.length > 0 ? previous.map((e) => formatEpisodeLine(e, null, maxCharsPerLine)).join("\n") : "(none)";
  const messages = episodes.map((e, i) => formatEpisodeLine(e, i + 1, maxCharsPerLine)).join("\n");
  return EXTRACTION_USER_TEMPLATE.replace("{{context}}", () => context).replace("{{messages}}", () => messages);
}

/** A nullable trimmed string; "", "null", "none", "n/a" and non-strings become null. */
const nullableText = z.preprocess((v) => {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" || /^(null|none|n\/a|unknown|undefined)$/i.test(t) ? null : t;
}, z.string().nullable());

const entitySchema = z.preprocess(
  (v) => (typeof v === "string" ? { name: v } : v),
  z.object({
    name: z.string().trim().min(1),
    type: z.preprocess(
      (t) => (typeof t === "string" ? ENTITY_TYPES[t.trim().toLowerCase()] : undefined) ?? "topic",
      z.enum(["person", "place", "organization", "object", "topic"]),
    ),
  }),
);

/**
 * The lenient schema of one extracted memory: unknown kinds become "fact", numbers
 * are coerced, missing optional fields get defaults; `text` and `sources` are required.
 *
 * @example
 * ```ts
 * extractedMemorySchema.safeParse({ text: "Caroline likes tea", sources: ["1"] }).success; // true
 * ```
 */
export const extractedMemorySchema = z.preprocess(
  (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return { ...o, text: o["text"] ?? o["memory"] ?? o["content"] ?? o["fact"], sources: o["sources"] ?? o["source"] };
  },
  z.object({
    kind: z.preprocess(
      (k) => (typeof k === "string" && (MEMORY_KINDS as readonly string[]).includes(k.trim().toLowerCase()) ? k.trim().toLowerCase() : "fact"),
      z.enum(MEMORY_KINDS),
    ),
    text: z.string().trim().min(1),
    subject: nullableText.catch(null),
    attribute: nullableText.catch(null),
    date: nullableText.catch(null),
    sources: z.preprocess((s) => {
      const list: unknown[] = Array.isArray(s) ? s : s === undefined || s === null ? [] : [s];
      return list.flatMap((x) => (typeof x === "string" ? (x.match(/\d+/g) ?? []).map(Number) : [x]));
    }, z.array(z.coerce.number()).min(1)),
    entities: z.preprocess(
      (es) => (Array.isArray(es) ? es.filter((e) => entitySchema.safeParse(e).success) : []),
      z.array(entitySchema),
    ),
    importance: z.preprocess((x) => {
      const n = typeof x === "string" ? Number(x) : x;
      if (typeof n !== "number" || !Number.isFinite(n)) return 0.5;
      return Math.min(1, Math.max(0, n > 1 && n <= 10 ? n / 10 : n));
    }, z.number()),
    confidence: z.preprocess((x) => {
      const n = typeof x === "string" ? Number(x) : x;
      return typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0.8;
    }, z.number()),
    // Sensitive categories (docs/SECURITY.md); unknown names are dropped, the lexicon adds its own.
    sensitivity: z.preprocess(
      (x) => (Array.isArray(x) ? x.map((c) => (typeof c === "string" ? c.trim().toLowerCase() : c)).filter((c) => (SENSITIVITY_CATEGORIES as readonly unknown[]).includes(c)) : []),
      z.array(z.enum(SENSITIVITY_CATEGORIES)),
    ),
  }),
);

/** One validated item of a model reply. */
type ExtractedMemory = z.infer<typeof extractedMemorySchema>;

/**
 * Distils episodes into candidate memories with a chat model. Episodes are packed
 * into as few calls as fit `maxCharsPerCall` characters of message lines (a typical
 * session takes one call); batches run `concurrency` at a time. Each reply is parsed
 * with `parseJsonLoose` and validated leniently: invalid items are dropped, valid
 * ones kept; an unusable reply is retried once with the error, then
 * `MnemoError("PROVIDER_OUTPUT")` is thrown. Memories citing no real episode are dropped.
 *
 * @example
 * ```ts
 * const extractor = new LLMExtractor(createLLM("ollama/llama3.1"));
 * const candidates = await extractor.extract(episodes, { scope, knownEntities: [], previous: [] });
 * ```
 */
export class LLMExtractor implements Extractor {
  readonly id: string;
  private readonly maxCharsPerCall: number;
  private readonly concurrency: number;

  constructor(
    private readonly llm: LLM,
    options: { maxCharsPerCall?: number | undefined; concurrency?: number | undefined } = {},
  ) {
    this.id = `llm:${llm.id}`;
    this.maxCharsPerCall = Math.max(200, Math.floor(options.maxCharsPerCall ?? 8000));
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
  }

  async extract(episodes: Episode[], context: ExtractionContext): Promise<CandidateMemory[]> {
    if (episodes.length === 0) return [];
    const batches = this.batch(episodes);
    const results: CandidateMemory[][] = new Array<CandidateMemory[]>(batches.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const i = next++;
        const batch = batches[i] as Episode[];
        const before = [...context.previous, ...episodes.slice(0, episodes.indexOf(batch[0] as Episode))];
        results[i] = await this.extractBatch(batch, before.slice(-MAX_CONTEXT_EPISODES));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, () => worker()));
    return results.flat();
  }

  /** Greedy packing by formatted line length; an over-long episode goes alone (its line is cut). */
  private batch(episodes: Episode[]): Episode[][] {
    const batches: Episode[][] = [];
    let current: Episode[] = [];
    let chars = 0;
    for (const e of episodes) {
      const len = Math.min(formatEpisodeLine(e, 999).length + 1, this.maxCharsPerCall);
      if (current.length > 0 && chars + len > this.maxCharsPerCall) {
        batches.push(current);
        current = [];
        chars = 0;
      }
      current.push(e);
      chars += len;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  private async extractBatch(batch: Episode[], previous: Episode[]): Promise<CandidateMemory[]> {
    const messages: ChatMessage[] = [
      { role: "system", content: EXTRACTION_SYSTEM_PROMPT },
      { role: "user", content: buildExtractionPrompt(batch, previous, this.maxCharsPerCall) },
    ];
    const first = await this.llm.complete(messages, { json: true, temperature: 0 });
    let parsed = readReply(first.text);
    if (!parsed.ok) {
      const firstError = parsed.error;
      const retry = await this.llm.complete(
        [
          ...messages,
          { role: "assistant", content: first.text },
          { role: "user", content: EXTRACTION_RETRY_PROMPT.replace("{{error}}", () => firstError) },
        ],
        { json: true, temperature: 0 },
      );
      const second = readReply(retry.text);
      if (!second.ok) {
        throw new MnemoError("PROVIDER_OUTPUT", `${this.llm.id} gave unusable extraction output twice: ${second.error}`, {
          details: { llm: this.llm.id, firstError, secondError: second.error, output: retry.text.slice(0, 500) },
        });
      }
      parsed = second;
    }
    return parsed.items.flatMap((item) => toCandidate(item, batch));
  }
}

/** Parses and validates a reply; fails only when the reply as a whole is unusable. */
function readReply(text: string): { ok: true; items: ExtractedMemory[] } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = parseJsonLoose(text);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  let raw: unknown = Array.isArray(json) ? json : typeof json === "object" && json !== null ? (json as Record<string, unknown>)["memories"] : undefined;
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) raw = [raw];
  if (!Array.isArray(raw)) return { ok: false, error: 'the reply has no "memories" array' };
  const items: ExtractedMemory[] = [];
  const problems: string[] = [];
  raw.forEach((r: unknown, i) => {
    const res = extractedMemorySchema.safeParse(r);
    if (res.success) items.push(res.data);
    else problems.push(`memories[${i}]: ${res.error.issues.map((x) => `${x.path.join(".") || "item"} ${x.message}`).join("; ")}`);
  });
  if (raw.length > 0 && items.length === 0) {
    return { ok: false, error: `no memory in the reply is valid (${problems.slice(0, 3).join(" | ")})` };
  }
  return { ok: true, items };
}

function toCandidate(item: ExtractedMemory, batch: Episode[]): CandidateMemory[] {
  const sources = [
    ...new Set(item.sources.filter((n) => Number.isInteger(n) && n >= 1 && n <= batch.length).map((n) => (batch[n - 1] as Episode).id)),
  ];
  if (sources.length === 0) return [];
  const subject = item.subject;
  const attribute = item.attribute === null ? null : normalizeAttribute(item.attribute);
  const entities: EntityMention[] = item.entities.map((e) => ({ name: e.name, type: e.type }));
  return [
    {
      kind: item.kind,
      text: item.text,
      subject,
      slot: subject !== null && attribute ? `${subject.toLowerCase()}|${attribute}` : null,
      validFrom: normalizeDate(item.date),
      sources,
      entities,
      importance: item.importance,
      confidence: item.confidence,
      ...(item.sensitivity.length > 0 ? { sensitivity: item.sensitivity } : {}),
    },
  ];
}

function normalizeAttribute(a: string): string {
  return a.trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "_").replace(/^_+|_+$/g, "");
}

/**
 * Normalises a model-given date to a full ISO timestamp (UTC), or null when it is not
 * a real date. `YYYY`, `YYYY-MM` and `YYYY-MM-DD` are read as UTC midnight.
 *
 * @example
 * ```ts
 * normalizeDate("2023-05-07"); // "2023-05-07T00:00:00.000Z"
 * normalizeDate("yesterday"); // null
 * ```
 */
export function normalizeDate(date: string | null): string | null {
  if (date === null) return null;
  const d = date.trim();
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(d);
  let t: number;
  if (m) {
    const [y, mo, da] = [Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 1)];
    t = Date.UTC(y, mo - 1, da);
    const check = new Date(t);
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== da) return null; // e.g. 2023-02-30
  } else {
    if (!/\d{4}/.test(d)) return null;
    t = Date.parse(d);
  }
  if (!Number.isFinite(t)) return null;
  const year = new Date(t).getUTCFullYear();
  return year >= 1000 && year <= 9999 ? new Date(t).toISOString() : null;
}
