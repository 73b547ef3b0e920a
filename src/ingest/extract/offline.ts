import nlp from "compromise";
import { resolveTimes, type TimeMention } from "../../core/time.js";
import { compressText, sentences, STOP_WORDS, termList } from "../../core/text.js";
import type { EntityType, Episode, MemoryKind } from "../../core/types.js";
import type { CandidateMemory, EntityMention, ExtractionContext, Extractor } from "./types.js";

const FILLER = /^(wow|whoa|aw+|omg|oof|ouch|sorry|oh no|(so |really )?glad|happy for|proud of|good for|hope|keep (it|up)|you got this|take care|love (that|it|this)|that sounds|sounds|thanks?|thank you|congrat\w*|haha\w*|lol|yay|cool|nice|great|awesome|amazing|sounds? (great|fun|good|amazing|awesome)|good (luck|to see you|to hear)|take care|bye|see you|same here|me too|you too|exactly|absolutely|totally|i agree|that'?s (so |really )?(great|awesome|amazing|cool|nice|true|wonderful|sweet|fantastic|inspiring|beautiful)|hey|hi|hello)\b/i;
const SENTENCE_INITIAL_NOISE = new Set(["Wow", "Hey", "Hi", "Hello", "Thanks", "Thank", "Yeah", "Yes", "No", "Oh", "Aw", "Awesome", "Great", "Congrats", "Sounds", "Sure", "Haha", "Lol", "Ok", "Okay", "Omg", "Absolutely", "Totally", "Definitely", "Glad", "Sorry", "Good", "Nice", "Cool", "Love", "Same", "Anyway", "Btw", "Gosh", "Dang", "Whoa", "Yay", "Ugh", "Hmm", "Well", "So", "And", "But", "Also"]);
const CALENDAR = /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Christmas|Easter|Halloween|Thanksgiving)$/;
const PAST_EVENT = /\b(went|visited|attended|started|joined|finished|bought|moved|got|took|made|met|saw|painted|ran|won|lost|adopted|travel(?:l)?ed|signed|volunteered|graduated|hosted|organized|organised|launched|received|celebrated|learned|learnt|tried|read|wrote|built|played|performed|completed|began|left|quit|found|gave|competed|participated|watched|cooked|baked|camped|hiked|created|published|released|accepted|applied|opened|decided)\b/i;
const PREFERENCE = /\b(love[sd]?|like[sd]?|enjoy(?:s|ed)?|prefer(?:s|red)?|hate[sd]?|dislike[sd]?|favou?rite|passionate about|fan of|into)\b/i;
const PROFILE = /\b(is an?|works? (?:as|at|for)|lives? in|moved to|(?:is|am) from|grew up|years old|married|single|divorced|engaged|name is|studies|studying|majored|identity|identifies|transgender|pronouns|kids|children|husband|wife|partner|boyfriend|girlfriend|job|career|degree)\b/i;
const INSTRUCTION = /^(please\s+)?(always|never|remember to|don'?t forget|make sure|call me|refer to me|use|avoid)\b/i;

const LEXICON: Readonly<Record<string, string | string[]>> = (nlp as unknown as { model: () => { one: { lexicon: Record<string, string | string[]> } } }).model().one.lexicon;
const ORG_SUFFIX = /\b(University|College|School|Academy|Inc|Corp|Company|Club|Center|Centre|Group|Foundation|Team|Bank|Church|Hospital|Institute|Association|Society|Agency|Studio|Cafe|Café|Restaurant|Shelter|Org)$/;
const PLACE_SUFFIX = /\b(Park|Lake|Street|River|Mountain|Mountains|Beach|City|County|Island|Valley|Falls|Bay|Canyon|Forest|Museum|Square|Avenue|Road)$/;

function lexTag(word: string): string | undefined {
  const t = LEXICON[word.toLowerCase()];
  return Array.isArray(t) ? t[0] : t;
}

/**
 * Types a capitalised span with compromise's lexicon (first names, cities, countries,
 * organisations) and name suffixes; a plain lexicon lookup, so NER costs microseconds.
 *
 * @example
 * ```ts
 * classifySpan("Caroline"); // "person"
 * classifySpan("Boston"); // "place"
 * classifySpan("Acme Inc"); // "organization"
 * ```
 */
export function classifySpan(span: string): EntityType {
  if (ORG_SUFFIX.test(span)) return "organization";
  if (PLACE_SUFFIX.test(span)) return "place";
  const parts = span.split(/\s+/);
  const tags = parts.map(lexTag);
  if (tags.some((t) => t !== undefined && /Name$|^Person$|Honorific/.test(t))) return "person";
  if (tags.some((t) => t !== undefined && /^(City|Country|Region|Place|Continent|Town)$/.test(t))) return "place";
  if (tags.some((t) => t !== undefined && /^(Organization|SportsTeam|Company)$/.test(t))) return "organization";
  return "topic";
}

/**
 * Capitalised name spans in a sentence (not the sentence-initial filler word).
 *
 * @example
 * ```ts
 * nameSpans("Caroline went to the LGBTQ support group in Boston."); // ["Caroline", "LGBTQ", "Boston"]
 * ```
 */
export function nameSpans(sentence: string): string[] {
  const out: string[] = [];
  for (const m of sentence.matchAll(/\b([A-Z][\p{L}'’.-]*[\p{L}](?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\p{L}'’.-]*[\p{L}])*)/gu)) {
    let span = m[1]!.replace(/['’]s$/, "");
    const first = span.split(/\s+/)[0]!;
    if (span === "I" || SENTENCE_INITIAL_NOISE.has(first)) {
      const rest = span.split(/\s+/).slice(1).join(" ");
      if (!rest) continue;
      span = rest;
    }
    if (CALENDAR.test(span) || STOP_WORDS.has(span.toLowerCase()) || span.length < 2) continue;
    out.push(span);
  }
  return out;
}

/**
 * Whether a capitalised span opens a sentence of `text`: `(^|[.!?]\s+)<span>\b`. The
 * pattern is compiled once per span (names recur from turn to turn).
 *
 * @example
 * ```ts
 * opensSentence("Kids", "Kids love it."); // true
 * opensSentence("Boston", "I moved to Boston."); // false
 * ```
 */
export function opensSentence(span: string, text: string): boolean {
  let re = sentenceStarts.get(span);
  if (!re) {
    re = new RegExp(`(^|[.!?]\\s+)${span}\\b`);
    if (sentenceStarts.size >= 4096) sentenceStarts.clear();
    sentenceStarts.set(span, re);
  }
  return re.test(text);
}

const sentenceStarts = new Map<string, RegExp>();

function replaceWord(text: string, re: RegExp, by: string): string {
  return text.replace(re, by);
}

/**
 * Rewrites first- and second-person words in the third person:
 * "I went to my class with you" (said by Mel to Caroline) → "Mel went to Mel's class with Caroline".
 *
 * @example
 * ```ts
 * thirdPerson("I went to my class with you", "Mel", "Caroline"); // "Mel went to Mel's class with Caroline"
 * ```
 */
export function thirdPerson(sentence: string, speaker: string, addressee: string | null): string {
  let s = sentence;
  s = replaceWord(s, /\bI'm\b|\bI’m\b|\bI am\b/g, `${speaker} is`);
  s = replaceWord(s, /\bI've\b|\bI’ve\b/g, `${speaker} has`);
  s = replaceWord(s, /\bI'd\b|\bI’d\b/g, `${speaker} would`);
  s = replaceWord(s, /\bI'll\b|\bI’ll\b/g, `${speaker} will`);
  s = replaceWord(s, /\bI have\b/g, `${speaker} has`);
  // "I live" → "Caroline lives": conjugate the common present-tense verbs.
  s = s.replace(/\bI (live|work|love|like|want|need|think|feel|play|enjoy|hope|know|prefer|miss|hate|teach|study|run|paint|own|plan|volunteer|believe|remember)\b/g, (_m, v: string) => `${speaker} ${v}s`);
  s = s.replace(/\bI (go|do|watch|wish)\b/g, (_m, v: string) => `${speaker} ${v}es`);
  s = replaceWord(s, /\bI\b/g, speaker);
  s = replaceWord(s, /\b[Mm]y\b/g, `${speaker}'s`);
  s = replaceWord(s, /\b[Mm]ine\b/g, `${speaker}'s`);
  s = replaceWord(s, /\b[Mm]yself\b/g, speaker);
  s = replaceWord(s, /\bme\b/g, speaker);
  if (addressee) {
    s = replaceWord(s, /\b[Yy]ou're\b|\b[Yy]ou’re\b|\b[Yy]ou are\b/g, `${addressee} is`);
    s = replaceWord(s, /\b[Yy]ou've\b|\b[Yy]ou’ve\b/g, `${addressee} has`);
    s = replaceWord(s, /\b[Yy]our\b/g, `${addressee}'s`);
    s = replaceWord(s, /\b[Yy]ou\b/g, addressee);
  }
  return s;
}

function dateWords(m: TimeMention): string {
  const lead = /^(on|in|at|during|since|from|by)\s/i.exec(m.text)?.[1]?.toLowerCase();
  const prep = m.granularity === "day" ? "on" : m.granularity === "week" ? "during" : "in";
  return `${lead && lead !== "on" && lead !== "in" ? lead : prep} ${m.label}`;
}

function classify(sentence: string, hasDate: boolean): MemoryKind {
  if (INSTRUCTION.test(sentence)) return "instruction";
  if (PREFERENCE.test(sentence)) return "preference";
  if (PROFILE.test(sentence)) return "profile";
  if (hasDate || PAST_EVENT.test(sentence)) return "event";
  return "fact";
}

const SLOT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(?:lives?|is living|moved) (?:in|to) (.+)/i, "lives_in"],
  [/\bworks? (?:as|at|for) (.+)/i, "job"],
  [/\b(?:is|got) (married|single|divorced|engaged|widowed)\b/i, "relationship_status"],
  [/\bfavou?rite (\w+) is (.+)/i, "favorite_"],
  [/\bis (\d{1,3}) years old\b/i, "age"],
  [/\bname is (.+)/i, "name"],
];

/**
 * The "subject|attribute" slot of a single-valued fact in third-person text, if any.
 *
 * @example
 * ```ts
 * slotOf("Caroline", "Caroline lives in Boston"); // { slot: "caroline|lives_in", value: "Boston" }
 * ```
 */
export function slotOf(subject: string, text: string): { slot: string; value: string } | null {
  const rest = text.startsWith(subject) ? text.slice(subject.length) : null;
  if (rest === null) return null;
  for (const [re, attr] of SLOT_PATTERNS) {
    const m = re.exec(rest);
    if (!m) continue;
    if (attr === "favorite_") return { slot: `${subject.toLowerCase()}|favorite_${m[1]!.toLowerCase()}`, value: m[2]!.trim() };
    return { slot: `${subject.toLowerCase()}|${attr}`, value: m[1]!.trim() };
  }
  return null;
}

/**
 * The offline default extractor: no model, no network. Per sentence it drops chat
 * filler and questions, rewrites pronouns in the third person (so "I" is attributed
 * to the right speaker), resolves relative dates against the message time with
 * chrono-node ("yesterday" said on 8 May 2023 → "on 7 May 2023"), classifies the
 * memory kind, finds named entities (capitalised spans typed by compromise) and
 * single-valued slots for contradiction detection.
 *
 * @example
 * ```ts
 * const out = await new OfflineExtractor().extract(episodes, { scope, knownEntities: [], previous: [] });
 * ```
 */
export class OfflineExtractor implements Extractor {
  readonly id = "offline-v1";

  async extract(episodes: Episode[], context: ExtractionContext): Promise<CandidateMemory[]> {
    const out: CandidateMemory[] = [];
    const known = new Map(context.knownEntities.flatMap((e) => [e.name, ...e.aliases].map((n) => [n.toLowerCase(), e] as const)));
    const history = [...context.previous];
    // Each turn is split twice (alone, then as the answer to the next turn, or as the question before it).
    const split = new Map<string, string[]>();
    const said = (text: string): string[] => {
      let s = split.get(text);
      if (!s) split.set(text, (s = sentences(text)));
      return s;
    };
    episodes.forEach((ep, i) => {
      // In a two-party chat "you" is the other speaker: the last one before, else the next one.
      const addressee =
        [...history].reverse().find((h) => h.speaker !== ep.speaker && h.sessionId === ep.sessionId)?.speaker ??
        episodes.slice(i + 1).find((n) => n.speaker !== ep.speaker && n.sessionId === ep.sessionId)?.speaker ??
        null;
      out.push(...this.fromEpisode(ep, addressee, known, said));
      const prev = history[history.length - 1];
      if (prev && prev.sessionId === ep.sessionId && prev.speaker !== ep.speaker) {
        const qa = this.answerToQuestion(prev, ep, known, said);
        if (qa) out.push(qa);
      }
      history.push(ep);
      if (history.length > 8) history.shift();
    });
    return out;
  }

  /**
   * A turn that answers the other speaker's question is often meaningless alone
   * ("5 years already!"). This memory joins the question and the answer, in the third
   * person, citing both turns.
   */
  private answerToQuestion(
    prev: Episode,
    ep: Episode,
    known: Map<string, { name: string; type: EntityType }>,
    split: (text: string) => readonly string[],
  ): CandidateMemory | null {
    const said = split(prev.text);
    const qi = said.findLastIndex((x) => x.trim().endsWith("?"));
    if (qi < 0) return null;
    // "How long have you had them?" is short; the sentence before it often names the topic.
    const before = said.slice(0, qi).filter((x) => !(FILLER.test(x.trim()) && termList(x).length < 3)).at(-1);
    const question = termList(said[qi]!).length < 2 && before ? `${before} ${said[qi]}` : said[qi]!;
    if (termList(question).length < 1) return null;
    const answer = split(ep.text)
      .filter((x) => !x.trim().endsWith("?") && termList(x).length > 0 && !(FILLER.test(x.trim()) && termList(x).length < 5))
      .slice(0, 2)
      .join(" ");
    if (!answer || termList(answer).length < 1) return null;
    const q = thirdPerson(question.trim(), prev.speaker, ep.speaker);
    const base = this.candidate(answer, ep, ep.speaker, true, prev.speaker, known, termList(answer).length);
    return { ...base, kind: base.kind === "event" ? "event" : "fact", text: `${q} ${base.text}`, sources: [ep.id, prev.id], importance: Math.min(1, base.importance + 0.1) };
  }

  private fromEpisode(
    ep: Episode,
    addressee: string | null,
    known: Map<string, { name: string; type: EntityType }>,
    split: (text: string) => readonly string[],
  ): CandidateMemory[] {
    const speaker = ep.speaker;
    const pieces = split(ep.text).filter((s) => !s.trim().endsWith("?"));
    const out: CandidateMemory[] = [];
    const speakerIsName = ep.role === null || !/^(user|assistant|system|tool)$/i.test(speaker);
    for (const raw of pieces) {
      const ct = termList(raw).length;
      // "Yeah, I agree, Mel!" is filler once its interjection is dropped.
      const core = compressText(raw);
      if (ct < 2 || termList(core).length < 2 || (FILLER.test(core) && ct < 5)) continue;
      out.push(this.candidate(raw, ep, speaker, speakerIsName, addressee, known, ct));
    }
    if (ep.attachmentText && ep.attachmentText.trim()) {
      const text = `${speaker} shared a photo: ${ep.attachmentText.trim()}`;
      out.push(this.candidate(text, ep, speaker, speakerIsName, addressee, known, termList(text).length, true));
    }
    return out;
  }

  private candidate(
    raw: string,
    ep: Episode,
    speaker: string,
    speakerIsName: boolean,
    addressee: string | null,
    known: Map<string, { name: string; type: EntityType }>,
    contentTerms: number,
    verbatim = false,
  ): CandidateMemory {
    const times = resolveTimes(raw, ep.occurredAt);
    let text = verbatim ? raw : thirdPerson(raw.trim(), speaker, addressee);
    // Replace relative time words with the absolute date (first mention only).
    const t = times[0];
    if (t && !verbatim) {
      const rewritten = thirdPerson(raw.slice(0, t.index), speaker, addressee) + dateWords(t) + thirdPerson(raw.slice(t.index + t.text.length), speaker, addressee);
      text = rewritten.replace(/\s{2,}/g, " ").trim();
    }
    if (!text.includes(speaker) && !verbatim) text = `${speaker}: ${text}`;
    const entities: EntityMention[] = [];
    const seen = new Set<string>();
    const addEntity = (name: string, type: EntityType) => {
      const k = name.toLowerCase();
      if (seen.has(k)) return;
      seen.add(k);
      entities.push({ name, type });
    };
    if (speakerIsName) addEntity(speaker, "person");
    if (addressee && /\byou(r|'re|’re|'ve)?\b/i.test(raw)) addEntity(addressee, "person");
    for (const span of nameSpans(raw)) {
      if (span === speaker) continue;
      const k = known.get(span.toLowerCase());
      const type = k?.type ?? classifySpan(span);
      // "Kids love it." — a capitalised common noun at the start of a sentence is no name.
      if (!k && type === "topic" && !span.includes(" ") && opensSentence(span, raw)) continue;
      addEntity(k?.name ?? span, type);
    }
    const kind = classify(raw, t !== undefined);
    const slot = speakerIsName ? slotOf(speaker, text) : null;
    const firstPerson = /\b(I|my|me|I'm|I've)\b/.test(raw);
    const importance = Math.min(1, 0.35 + 0.1 * Math.min(3, entities.length - 1) + (firstPerson ? 0.15 : 0) + (t ? 0.15 : 0) + Math.min(0.2, contentTerms * 0.02));
    return {
      kind,
      text,
      subject: speakerIsName ? speaker : null,
      slot: slot?.slot ?? null,
      validFrom: t ? t.range.from : kind === "event" ? ep.occurredAt : null,
      sources: [ep.id],
      entities,
      importance,
      confidence: 0.6,
    };
  }
}
