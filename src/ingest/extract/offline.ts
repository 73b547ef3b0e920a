import { compromise } from "../../core/lazy-deps.js";
import { STOP_WORDS, termList } from "../../core/text.js";
import type { EntityType, Episode, MemoryKind } from "../../core/types.js";
import { mergeCategories, tagSensitivity } from "../../guard/sensitivity.js";
import { annotate, dateNotes } from "./dates.js";
import { FILLER, isFiller } from "./filler.js";
import { checkFillerModel, fillerProbability, type FillerModel } from "./filler-model.js";
import { FILLER_MODEL } from "./filler-weights.js";
import { loadWordVectorFile } from "../../providers/embeddings/word-vector-table.js";
import { slotIn } from "./slots.js";
import { personOf, turnKind } from "./speaker.js";
import { splitSentences } from "./split.js";
import { needsTopic, topicOf } from "./topic.js";
import type { CandidateMemory, EntityMention, ExtractionContext, Extractor } from "./types.js";

export { slotOf } from "./slots.js";
const SENTENCE_INITIAL_NOISE = new Set(["Wow", "Hey", "Hi", "Hello", "Thanks", "Thank", "Yeah", "Yes", "No", "Oh", "Aw", "Awesome", "Great", "Congrats", "Sounds", "Sure", "Haha", "Lol", "Ok", "Okay", "Omg", "Absolutely", "Totally", "Definitely", "Glad", "Sorry", "Good", "Nice", "Cool", "Love", "Same", "Anyway", "Btw", "Gosh", "Dang", "Whoa", "Yay", "Ugh", "Hmm", "Well", "So", "And", "But", "Also"]);
const CALENDAR = /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Christmas|Easter|Halloween|Thanksgiving)$/;
const PAST_EVENT = /\b(went|visited|attended|started|joined|finished|bought|moved|got|took|made|met|saw|painted|ran|won|lost|adopted|travel(?:l)?ed|signed|volunteered|graduated|hosted|organized|organised|launched|received|celebrated|learned|learnt|tried|read|wrote|built|played|performed|completed|began|left|quit|found|gave|competed|participated|watched|cooked|baked|camped|hiked|created|published|released|accepted|applied|opened|decided)\b/i;
/**
 * A liking or a dislike said of someone: a subject, then a verb of liking ("I really enjoy
 * reading", "Maya loves sushi", "we don't like crowds"), or a taste word ("my favorite",
 * "allergic to", "a fan of", "I'm into"). "Like" as a preposition ("looks like", "events
 * like these"), "my love for" or "a love story" are no preference (they were, and filled the
 * pinned block and escaped the filler filter).
 */
const PREFERENCE =
  /\b(I|we|you|he|she|they|[A-Z][a-z]+)\s+(?:(?:really|just|also|absolutely|totally|still|always|truly|kinda|do|does|did|don'?t|doesn'?t|didn'?t|never|now|both|mostly|especially|definitely)\s+)*(?:love[sd]?|like[sd]?|enjoy(?:s|ed)?|prefer(?:s|red)?|hate[sd]?|dislike[sd]?|adore[sd]?)\b|\b(don'?t eat|do not eat|never eat|allergic to|vegetarian|vegan|can'?t stand|favou?rite|passionate about|fan of|(?:I'm|I am|we're|she's|he's|they're)\s+(?:really\s+|so\s+|totally\s+)?into)\b/;
const PROFILE = /\b(is an?|am an?|I'm an?|works? (?:as|at|for)|lives? in|moved to|(?:is|am) from|grew up|years old|married|single|divorced|engaged|name is|studies|studying|majored|identity|identifies|transgender|pronouns|kids|children|husband|wife|partner|boyfriend|girlfriend|job|career|degree)\b/i;
const INSTRUCTION = /^(please\s+)?(always|never|remember to|don'?t forget|make sure|call me|refer to me|use|avoid)\b/i;

// compromise loads on first use (import time).
let lexiconCache: Readonly<Record<string, string | string[]>> | undefined;
const lexicon = () => (lexiconCache ??= (compromise() as unknown as { model: () => { one: { lexicon: Record<string, string | string[]> } } }).model().one.lexicon);
const ORG_SUFFIX = /\b(University|College|School|Academy|Inc|Corp|Company|Club|Center|Centre|Group|Foundation|Team|Bank|Church|Hospital|Institute|Association|Society|Agency|Studio|Cafe|Café|Restaurant|Shelter|Org)$/;
const PLACE_SUFFIX = /\b(Park|Lake|Street|River|Mountain|Mountains|Beach|City|County|Island|Valley|Falls|Bay|Canyon|Forest|Museum|Square|Avenue|Road)$/;

function lexTag(word: string): string | undefined {
  const t = lexicon()[word.toLowerCase()];
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
  for (const m of sentence.matchAll(/\b((?:(?:St|Dr|Mt|Mr|Mrs|Ms|Ft)\.\s+)?[A-Z][\p{L}'’.-]*[\p{L}](?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\p{L}'’.-]*[\p{L}])*)/gu)) {
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

function classify(sentence: string, hasDate: boolean): MemoryKind {
  if (INSTRUCTION.test(sentence)) return "instruction";
  if (PREFERENCE.test(sentence)) return "preference";
  if (PROFILE.test(sentence)) return "profile";
  if (hasDate || PAST_EVENT.test(sentence)) return "event";
  return "fact";
}

/** Short replies that answer the question before them ("5 years already!", "Yes, in May."). */
const ANSWER_OPENER = /^(yes|yeah|yep|yup|no|nope|nah|sure|definitely|of course|not|it|it's|they|they're|that|we|about|around|since|for|in|at|on|just|only|mostly|\d)/i;

/** How many turns back a topic is carried into a fragment. */
const TOPIC_TURNS = 3;
/** Sentences of a turn kept together in one memory, up to about this many words. */
const GROUP_WORDS = 35;
/** The kind of a memory of several sentences: the first of these any sentence has. */
const KIND_ORDER: readonly MemoryKind[] = ["instruction", "preference", "profile", "event", "fact"];

/** Sentences that only continue the one before ("Especially thin crust.", "Mostly on weekends."). */
const FRAGMENT = /^(especially|mostly|usually|except|particularly|specifically|including|not|only|even|plus|which|like)\b/i;

/** Questions asking for a fact (time, place, amount, name) a reply can give without echoing them. */
const WH = /^(how (long|many|much|old|often|far)|when|where|what|which|who|whose|(do|did|have|has|are|is|was|were|will) (you|they|we|it|he|she) (have|know|pick|set|choose|decide)\b)/i;
/** How a slot is said in a note when the sentence does not say it: [works at: Swedish]. */
const SLOT_NOTE: Readonly<Record<string, readonly [string, RegExp]>> = {
  lives_in: ["lives in", /\bliv(e|es|ing|ed)\b/i],
  job: ["works at", /\bwork(s|ing|ed)?\b/i],
};

/** Kinds the learned filler model judges; instructions, preferences and profile lines are kept. */
const JUDGED_KINDS: ReadonlySet<MemoryKind> = new Set(["fact", "event"]);
/**
 * Whether a memory's text is a shared photo's caption ("Ann shared a photo: …", made by
 * this extractor): always kept, never judged by the filler model (nor counted in its training).
 *
 * @example
 * ```ts
 * isPhotoCaption("Ann shared a photo: a photo of a dog on a boat"); // true
 * ```
 */
export function isPhotoCaption(text: string): boolean {
  return /^[^:]{1,60} shared a photo: /.test(text);
}

/**
 * Options of the offline extractor.
 *
 * @example
 * ```ts
 * const rulesOnly = new OfflineExtractor({ fillerModel: false });
 * ```
 */
export interface OfflineExtractorOptions {
  /**
   * The learned filler filter run after the rules (default: the bundled model,
   * src/ingest/extract/filler-weights.ts); `false` keeps everything the rules keep.
   */
  fillerModel?: FillerModel | false | undefined;
}

type Known = Map<string, { name: string; type: EntityType }>;

/**
 * The offline default extractor: no model, no network. It knows who said what: a `user`
 * turn speaks for the scope's person (`userName`), a named speaker for themself; assistant
 * turns and system prompts stay episodes only; tool output is content, never the user's
 * claim. Per sentence (compromise's splitter) it drops filler and questions, keeps the
 * speaker's own words ("Maya: We fly out on October 12 [= 12 October 2024] (re: Japan
 * trip)"), annotates resolved dates instead of splicing them in, carries the topic into a
 * fragment, classifies the kind, finds entities and the per-subject single-valued slot.
 *
 * @example
 * ```ts
 * const out = await new OfflineExtractor().extract(episodes, { scope, knownEntities: [], previous: [], userName: "Alice" });
 * ```
 */
export class OfflineExtractor implements Extractor {
  readonly id = "offline-v3";
  private readonly model: FillerModel | null;

  constructor(options: OfflineExtractorOptions = {}) {
    this.model = options.fillerModel === false ? null : options.fillerModel === undefined ? FILLER_MODEL : checkFillerModel(options.fillerModel);
  }

  async extract(episodes: Episode[], context: ExtractionContext): Promise<CandidateMemory[]> {
    const out = this.rules(episodes, context);
    const model = this.model;
    if (!model || out.length === 0) return out;
    // The learned filter judges what the rules kept (the bundled word table is loaded once per process).
    const table = await loadWordVectorFile();
    // A dropped line still names people: it is returned as `mentionOnly` (no memory), so an
    // alias said only in passing ("Totally agree, Mel.") is still learned.
    return out.map((c) =>
      c.slot !== null || !JUDGED_KINDS.has(c.kind) || isPhotoCaption(c.text) || fillerProbability(c.text, table, model) < model.threshold ? c : { ...c, mentionOnly: true },
    );
  }

  private rules(episodes: Episode[], context: ExtractionContext): CandidateMemory[] {
    const out: CandidateMemory[] = [];
    const userName = context.userName?.trim() || context.scope.userId;
    const known: Known = new Map(context.knownEntities.flatMap((e) => [e.name, ...e.aliases].map((n) => [n.toLowerCase(), e] as const)));
    const history = [...context.previous];
    const talker = (e: Episode) => (turnKind(e) === "user" || turnKind(e) === "named" ? personOf(e, userName) : e.speaker);
    episodes.forEach((ep, i) => {
      const kind = turnKind(ep);
      const prev = history[history.length - 1];
      const samePrev = prev && prev.sessionId === ep.sessionId ? prev : undefined;
      if (kind === "user" || kind === "named") {
        const person = personOf(ep, userName);
        // In a two-party chat "you" is the other named speaker (never the assistant).
        const isNamed = (e: Episode) => turnKind(e) === "named" && e.speaker !== ep.speaker && e.sessionId === ep.sessionId;
        const addressee = kind === "named" ? ([...history].reverse().find(isNamed)?.speaker ?? episodes.slice(i + 1).find(isNamed)?.speaker ?? null) : null;
        // A sentence kept apart from its turn keeps the turn's sensitive categories (docs/SECURITY.md).
        const turnTags = tagSensitivity(ep.text);
        const fromTurn = this.fromTurn(ep, person, addressee, known, this.sessionTopic(history, ep));
        out.push(...(turnTags.length ? fromTurn.map((c) => ({ ...c, sensitivity: mergeCategories(c.sensitivity, turnTags) })) : fromTurn));
        const pk = samePrev ? turnKind(samePrev) : null;
        if (samePrev && samePrev.speaker !== ep.speaker && pk !== "system" && pk !== "tool") {
          const qa = this.answerToQuestion(samePrev, talker(samePrev), ep, person, addressee, known);
          if (qa) out.push(qa);
        }
      } else if (kind === "tool") {
        out.push(...this.fromTool(ep, known));
      }
      // Assistant replies and system prompts stay episodes: recallable, never facts about the user.
      history.push(ep);
      if (history.length > 8) history.shift();
    });
    return out;
  }

  /** The topic named last in the few turns before `ep` in its session ("the wedding"), if any. */
  private sessionTopic(history: readonly Episode[], ep: Episode): string | null {
    for (let j = history.length - 1, seen = 0; j >= 0 && seen < TOPIC_TURNS; j--) {
      const h = history[j]!;
      if (h.sessionId !== ep.sessionId) break;
      seen++;
      const t = this.lastTopic(h);
      if (t) return t;
    }
    return null;
  }

  private lastTopic(ep: Episode): string | null {
    const said = splitSentences(ep.text);
    for (let j = said.length - 1; j >= 0; j--) {
      const t = topicOf(said[j]!);
      if (t) return t;
    }
    return null;
  }

  /**
   * A turn that answers the other speaker's question is often meaningless alone
   * ("5 years already!"). This memory keeps both in their words, citing both turns, when
   * the answer is related (shares a content word, or is a short reply).
   */
  private answerToQuestion(prev: Episode, asker: string, ep: Episode, person: string, addressee: string | null, known: Known): CandidateMemory | null {
    const said = splitSentences(prev.text);
    const qi = said.findLastIndex((x) => x.trim().endsWith("?"));
    if (qi < 0) return null;
    // "How long have you had them?" is short; the sentence before it often names the topic.
    const before = said.slice(0, qi).filter((x) => !(FILLER.test(x.trim()) && termList(x).length < 3)).at(-1);
    const question = termList(said[qi]!).length < 2 && before ? `${before} ${said[qi]}` : said[qi]!;
    const qTerms = new Set(termList(question));
    if (qTerms.size < 1) return null;
    const replies = splitSentences(ep.text).filter((x) => !x.trim().endsWith("?") && termList(x).length > 0);
    // A reply that picks up the question's words is judged in its light ("Winning a championship is my goal.").
    if (replies.length === 0 || isFiller(replies[0]!, termList(replies[0]!).some((t) => qTerms.has(t)))) return null;
    const first = termList(replies[0]!);
    // A second sentence only when the first is a bare reply and the second stays on the question.
    const second = replies[1] && first.length < 3 && termList(replies[1]).some((t) => qTerms.has(t)) ? replies[1] : null;
    const answer = second ? `${replies[0]} ${second}` : replies[0]!;
    const shares = termList(answer).some((t) => qTerms.has(t));
    // A reply that shares no word must at least look like an answer: short, or giving what a wh-question asks for.
    const gives = WH.test(question.trim().split(/[.!]\s+/).at(-1)!) && first.length <= 14 && /\d|\b[A-Z][a-z]+\b.*\b[A-Z]|\b(years?|months?|weeks?|days?|since|ago|ever)\b/.test(replies[0]!.slice(1));
    if (!shares && !(first.length <= 6 && ANSWER_OPENER.test(replies[0]!.trim())) && !gives) return null;
    const base = this.candidate(answer, ep, person, addressee, known, termList(answer).length, null);
    const text = `${asker}: ${question.trim()} — ${base.text}`;
    return { ...base, kind: base.kind === "event" ? "event" : "fact", text, slot: null, sources: [ep.id, prev.id], importance: Math.min(1, base.importance + 0.1) };
  }

  /**
   * The turn's informative sentences, filler and questions dropped, in the speaker's words:
   * a sentence that sets a single-valued slot stands alone (it may be invalidated later);
   * the others of the turn are kept together as one memory ("We booked the Japan flights!
   * We fly out on October 12 [= 12 October 2024]."), so no fragment loses its subject.
   */
  private fromTurn(ep: Episode, person: string, addressee: string | null, known: Known, topicBefore: string | null): CandidateMemory[] {
    const out: CandidateMemory[] = [];
    let topic = topicBefore;
    let who: string | null = null;
    let group: CandidateMemory[] = [];
    let words = 0;
    const flush = () => {
      if (group.length) out.push(this.merge(group, person, ep));
      group = [];
      words = 0;
    };
    for (const sentence of splitSentences(ep.text)) {
      const own = topicOf(sentence);
      if (sentence.trim().endsWith("?")) {
        if (own) topic = own;
        continue;
      }
      if (isFiller(sentence, group.length > 0)) continue;
      const c = this.candidate(sentence, ep, person, addressee, known, termList(sentence).length, group.length ? null : topic, false, who);
      if (own) topic = own;
      who = c.entities.filter((e) => e.type === "person" && e.name !== person).at(-1)?.name ?? who;
      if (c.slot) {
        out.push(c);
        continue;
      }
      const n = sentence.split(/\s+/).length;
      if (words + n > GROUP_WORDS && !FRAGMENT.test(sentence.trim())) flush();
      group.push(c);
      words += n;
    }
    flush();
    if (ep.attachmentText && ep.attachmentText.trim()) {
      const text = `${person} shared a photo: ${ep.attachmentText.trim()}`;
      out.push(this.candidate(text, ep, person, addressee, known, termList(text).length, null, true));
    }
    return out;
  }

  /** One memory of consecutive sentences of a turn (each already a candidate). */
  private merge(cs: CandidateMemory[], person: string, ep: Episode): CandidateMemory {
    if (cs.length === 1) return cs[0]!;
    const prefix = `${person}: `;
    let text = prefix + cs.map((c) => (c.text.startsWith(prefix) ? c.text.slice(prefix.length) : c.text)).join(" ");
    // A carried topic the group already names is noise.
    text = text.replace(/ \(re: ([^)]+)\)/g, (m, t: string) => (text.toLowerCase().split(t.toLowerCase()).length > 2 ? "" : m));
    const entities = new Map<string, EntityMention>();
    for (const c of cs) for (const e of c.entities) if (!entities.has(e.name.toLowerCase())) entities.set(e.name.toLowerCase(), e);
    const kind = KIND_ORDER.find((k) => cs.some((c) => c.kind === k)) ?? "fact";
    const dated = cs.find((c) => c.validFrom !== null && c.validFrom !== ep.occurredAt)?.validFrom ?? cs.find((c) => c.validFrom !== null)?.validFrom ?? null;
    return {
      kind,
      text,
      subject: person,
      slot: null,
      slotValue: null,
      validFrom: dated ?? (kind === "event" ? ep.occurredAt : null),
      sources: [ep.id],
      entities: [...entities.values()],
      importance: Math.min(1, Math.max(...cs.map((c) => c.importance)) + 0.05 * (cs.length - 1)),
      confidence: 0.6,
    };
  }

  private fromTool(ep: Episode, known: Known): CandidateMemory[] {
    const text = ep.text.trim();
    if (termList(text).length < 2) return [];
    const c = this.candidate(text, ep, ep.speaker, null, known, termList(text).length, null, true);
    // Tool output is content the conversation used, not something the user said about themself.
    return [{ ...c, kind: "fact", text: `${ep.speaker} output: ${text}`, subject: null, slot: null, slotValue: null, entities: c.entities.filter((e) => e.name !== ep.speaker), confidence: 0.5 }];
  }

  private candidate(
    raw: string,
    ep: Episode,
    person: string,
    addressee: string | null,
    known: Known,
    contentTerms: number,
    topic: string | null,
    verbatim = false,
    who: string | null = null,
  ): CandidateMemory {
    const notes = verbatim ? [] : dateNotes(raw, ep.occurredAt);
    const dated = notes.find((n) => n.from !== null);
    let said = annotate(raw.trim(), notes);
    // "She's an architect." after naming Lena: say who; "We fly out on ..." after the Japan trip: say what.
    const about = who && /^(he|she|they|he's|she's|they're|his|her|their)\b/i.test(raw.trim()) ? who : topic && needsTopic(raw, notes.length > 0) ? topic : null;
    if (about && !verbatim && !said.toLowerCase().includes(about.toLowerCase())) said = said.replace(/\s*([.!…]*)\s*$/, (_m, p: string) => ` (re: ${about})${p}`);
    const slot = verbatim ? null : slotIn(raw, person);
    // "First day at Swedish today." sets where Maya works: say so, in brackets, when the words don't.
    if (slot && SLOT_NOTE[slot.attr] && !SLOT_NOTE[slot.attr]![1].test(raw)) said = said.replace(/\s*([.!…]*)\s*$/, (_m, p: string) => ` [${SLOT_NOTE[slot.attr]![0]}: ${slot.display}]${p}`);
    const text = verbatim ? raw : `${person}: ${said}`;
    const entities: EntityMention[] = [];
    const seen = new Set<string>();
    const addEntity = (name: string, type: EntityType) => {
      const k = name.toLowerCase();
      if (seen.has(k)) return;
      seen.add(k);
      entities.push({ name, type });
    };
    addEntity(person, "person");
    if (addressee && /\byou(r|'re|’re|'ve)?\b/i.test(raw)) addEntity(addressee, "person");
    for (const span of nameSpans(raw)) {
      if (span === person) continue;
      const k = known.get(span.toLowerCase());
      const type = k?.type ?? classifySpan(span);
      // "Kids love it." — a capitalised common noun at the start of a sentence is no name.
      if (!k && type === "topic" && !span.includes(" ") && opensSentence(span, raw)) continue;
      addEntity(k?.name ?? span, type);
    }
    if (about && about === who) addEntity(who, "person");
    const kind = classify(raw, dated !== undefined);
    const subject = slot && slot.subject !== person && !slot.subject.includes(" ") ? slot.subject : person;
    const firstPerson = /\b(I|my|me|I'm|I've)\b/.test(raw);
    const importance = Math.min(1, 0.35 + 0.1 * Math.min(3, entities.length - 1) + (firstPerson ? 0.15 : 0) + (dated ? 0.15 : 0) + Math.min(0.2, contentTerms * 0.02));
    return {
      kind: notes.some((n) => n.recurring) && kind === "event" ? "fact" : kind,
      text,
      subject,
      slot: slot?.slot ?? null,
      slotValue: slot?.value ?? null,
      validFrom: dated ? dated.from : kind === "event" ? ep.occurredAt : null,
      sources: [ep.id],
      entities,
      importance,
      confidence: 0.6,
    };
  }
}
