/**
 * Context lines that carry the content that made them relevant. A distilled memory is
 * often a fragment of its turn ("Audrey: It was a nice way to bring some joy around here."
 * from "I made some goodies recently to thank my neighbors… it was a nice way to bring some
 * joy around here."): the line then brings the turn's sentence that answers the query (and
 * the one it came from), quoted after the memory, so the model reads the answer, not only
 * the gist.
 */
import { compressText, sentences, StringMemo, termList } from "../core/text.js";
import type { Episode, Memory } from "../core/types.js";
import { FILLER, isFiller } from "../ingest/extract/filler.js";
import { relativeDates } from "./relative-dates.js";

const MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)";
const DATE_RE = new RegExp(`\\b(?:\\d{1,2} ${MONTH},? \\d{4}|${MONTH},? \\d{4}|${MONTH} \\d{1,2},? \\d{4}|(?:in|since|by|until|before|after) \\d{4})\\b`, "g");

/**
 * A source turn of at most this many words is shown whole in place of the memory derived
 * from it (a memory is a fragment of its turn; the turn holds the answer in the speaker's words).
 *
 * @example
 * ```ts
 * TURN_WORDS; // 60
 * ```
 */
export const TURN_WORDS = 60;

/**
 * The resolved dates a memory's text adds to its turn ("on 20 May 2023" for "last
 * Saturday"): dates in the memory text that the turn does not contain.
 *
 * @example
 * ```ts
 * addedDates("Melanie ran a charity race on 20 May 2023.", "I ran a charity race last Saturday."); // ["20 May 2023"]
 * ```
 */
export function addedDates(memoryText: string, turn: string): string[] {
  return [...new Set([...memoryText.matchAll(DATE_RE)].map((x) => x[0]))].filter((d) => !turn.includes(d));
}

const turnDateMemo = new StringMemo<readonly string[]>(4096, (key) => {
  const at = key.indexOf("\u0000");
  return relativeDates(key.slice(at + 1), key.slice(0, at));
});

/**
 * The dates a shown turn leaves relative, resolved against when it was said: "last year"
 * said on 8 May 2023 → "2022", "last Saturday" → "6 May 2023". The model reads the date it
 * would otherwise have to work out (and often gets wrong). Memoised per text; resolved by
 * src/recall/relative-dates.ts (no chrono-node on the recall path).
 *
 * @example
 * ```ts
 * turnDates("I painted that lake sunrise last year!", "2023-05-08T13:56:00.000Z"); // ["2022"]
 * ```
 */
export function turnDates(text: string, saidAt: string): readonly string[] {
  return turnDateMemo.get(saidAt + "\u0000" + text);
}

/** " [2022; 6 May 2023]" for the dates of `text` not already among `known` (or written in `shownIn`), or "". */
export function datesSuffix(text: string, saidAt: string, known: readonly string[] = [], shownIn = ""): string {
  const all = [...known, ...turnDates(text, saidAt).filter((d) => !shownIn.includes(d) && !known.some((k) => k.includes(d) || d.includes(k)))];
  return all.length ? ` [${all.join("; ")}]` : "";
}

/**
 * A memory shown as its whole source turn, speaker and words, with the dates the memory
 * resolved appended: `- Melanie: "I ran a charity race last Saturday." [20 May 2023]`.
 *
 * @example
 * ```ts
 * turnLine(memory, episode);
 * ```
 */
export function turnLine(m: Memory, source: Episode, queryTerms?: ReadonlySet<string>): string {
  const shown = compressText(excerpt(trimSmallTalk(source.text), queryTerms));
  const att = source.attachmentText ? ` [photo: ${source.attachmentText}]` : "";
  return `- ${source.speaker}: "${shown}"${att}${datesSuffix(shown, source.occurredAt, addedDates(m.text, source.text))}`;
}

/**
 * At most this many tokens (≈ words × 1.3) of quoted turn text are added to a memory line.
 *
 * @example
 * ```ts
 * QUOTE_MAX_WORDS; // 45
 * ```
 */
export const QUOTE_MAX_WORDS = 45;

function overlap(a: readonly string[], b: ReadonlySet<string>): number {
  let n = 0;
  for (const t of new Set(a)) if (b.has(t)) n++;
  return n;
}

/**
 * The sentences of `turn` worth quoting after a memory's text: the sentence that best
 * matches the query and the one the memory came from (best match with the memory's own
 * terms), in turn order, when they add content terms the memory text lacks. Empty when the
 * memory already says everything its turn says about the query.
 *
 * @example
 * ```ts
 * quoteFor("Audrey: It was a nice way to bring some joy.", "I made some goodies to thank my neighbors. It was a nice way to bring some joy.", new Set(["make", "thank", "neighbor"]));
 * // ["I made some goodies to thank my neighbors."]
 * ```
 */
export function quoteFor(memoryText: string, turn: string, queryTerms: ReadonlySet<string>): string[] {
  const have = new Set(termList(memoryText));
  const sents = sentences(turn);
  if (sents.length === 0) return [];
  const scored = sents.map((s, i) => {
    const t = termList(s);
    const fresh = t.filter((x) => !have.has(x));
    return { s, i, t, q: overlap(t, queryTerms), qNew: overlap(fresh, queryTerms), m: overlap(t, have), fresh: fresh.length };
  });
  const pick = new Set<number>();
  // the sentence that brings the query terms the memory lacks ("volunteer" when the memory
  // kept only "Last weekend I had an experience…"), else the best match overall
  const byQuery = [...scored].sort((a, b) => b.qNew - a.qNew || b.q - a.q || b.m - a.m || a.i - b.i)[0]!;
  if (byQuery.q > 0 && byQuery.fresh > 0) pick.add(byQuery.i);
  const byMemory = [...scored].sort((a, b) => b.m - a.m || b.q - a.q || a.i - b.i)[0]!;
  if (byMemory.fresh > 0 && byMemory.q > 0) pick.add(byMemory.i);
  const out: string[] = [];
  let words = 0;
  for (const x of scored) {
    if (!pick.has(x.i)) continue;
    const w = x.s.split(/\s+/).length;
    if (words + w > QUOTE_MAX_WORDS) {
      if (out.length === 0) out.push(x.s.split(/\s+/).slice(0, QUOTE_MAX_WORDS).join(" ") + "…");
      break;
    }
    out.push(x.s);
    words += w;
  }
  return out;
}

/**
 * A memory's context line that carries what made it relevant: a short source turn
 * (≤ {@link TURN_WORDS} words) is shown whole ({@link turnLine}); a longer one adds its
 * answering sentence quoted after the memory: `- Audrey made goodies. (Audrey: "I made some
 * goodies … neighbors.")`. Without a source turn, or when the turn adds nothing about the
 * query, the plain memory line.
 *
 * @example
 * ```ts
 * answerBearingLine(memory, episode, new Set(["goodie", "neighbor"]));
 * ```
 */
export function answerBearingLine(m: Memory, source: Episode | undefined, queryTerms: ReadonlySet<string>): string {
  const line = `- ${compressText(m.text)}`;
  if (!source || queryTerms.size === 0) return line;
  if (source.text.split(/\s+/).length <= TURN_WORDS) return turnLine(m, source, queryTerms);
  const quote = quoteFor(m.text, source.text, queryTerms);
  if (quote.length === 0) return line;
  const said = compressText(quote.join(" "));
  return `${line} (${source.speaker}: "${said}"${datesSuffix(said, source.occurredAt, [], line)})`;
}

/**
 * True when a line's text has a content term of its own (a name alone does not count):
 * "Andrew: Wow!" has none, so it is not worth a line.
 *
 * @example
 * ```ts
 * hasOwnContent("Wow, great!", ["andrew"]); // false
 * hasOwnContent("I adopted a dog.", ["andrew"]); // true
 * ```
 */
export function hasOwnContent(text: string, names: readonly string[]): boolean {
  const skip = new Set(names.flatMap((n) => termList(n)));
  return termList(text).some((t) => !skip.has(t));
}

/**
 * True when a memory's text says things its source turns do not (a content term, names,
 * numbers and dates aside): it was edited by hand, so its own words, not the turn's,
 * must be shown. An extracted memory rewrites its turn ("I" → the speaker's name, resolved
 * dates) and keeps its words.
 *
 * @example
 * ```ts
 * saysMoreThan({ text: "Caroline has a cat named Oliver.", subject: "Caroline", version: 2 } as Memory, ["I have a dog."]); // true
 * ```
 */
export function saysMoreThan(m: Memory, turns: readonly string[]): boolean {
  if (m.version <= 1) return false;
  const have = new Set(turns.flatMap((t) => termList(t)));
  const skip = new Set(m.subject ? termList(m.subject) : []);
  let fresh = 0;
  // a memory rewritten by consolidation keeps its turn's words; an edit brings new ones
  for (const t of new Set(termList(m.text.replace(DATE_RE, " ")))) if (!have.has(t) && !skip.has(t) && !/^\d+$/.test(t) && ++fresh >= 1) return true;
  return false;
}

/**
 * A turn's words without the bare interjections at its edges ("Wow, Mel!", "Thanks!"):
 * leading and trailing sentences of fewer than three content words that open on an
 * interjection and are filler
 * ({@link isFiller}) are dropped, so a line spends its tokens on what the turn says. A turn
 * that is nothing else is returned whole.
 *
 * @example
 * ```ts
 * trimSmallTalk("Wow, Caroline! I made this bowl in my class. Thanks!"); // "I made this bowl in my class."
 * ```
 */
export function trimSmallTalk(text: string): string {
  return trimMemo.get(text);
}

const trimMemo = new StringMemo<string>(4096, (text) => {
  const sents = sentences(text);
  const idle = (x: string) => termList(x).length < 3 && FILLER.test(x.trim()) && isFiller(x);
  let a = 0;
  let b = sents.length;
  while (a < b && idle(sents[a]!)) a++;
  while (b > a && idle(sents[b - 1]!)) b--;
  return a >= b || (a === 0 && b === sents.length) ? text : sents.slice(a, b).join(" ");
});

/**
 * A turn longer than this many words (a long assistant answer, a pasted document) is shown
 * as its {@link excerpt} about the query, so it can enter a context at all.
 *
 * @example
 * ```ts
 * LONG_TURN_WORDS; // 100
 * ```
 */
export const LONG_TURN_WORDS = 100;
/**
 * At most this many words of a long turn are shown.
 *
 * @example
 * ```ts
 * EXCERPT_WORDS; // 80
 * ```
 */
export const EXCERPT_WORDS = 80;

/**
 * The part of a long turn about the query: the run of consecutive sentences, at most
 * `maxWords` words, that holds the most distinct query terms (the earliest such run), with
 * "…" where the turn goes on. A turn of at most {@link LONG_TURN_WORDS} words, or one without
 * query terms, is returned whole.
 *
 * @example
 * ```ts
 * excerpt(longAnswer, new Set(["queue", "retri"])); // "… Put requests in a queue and retry with backoff. …"
 * ```
 */
export function excerpt(text: string, queryTerms: ReadonlySet<string> | undefined, maxWords = EXCERPT_WORDS): string {
  if (!queryTerms || queryTerms.size === 0 || text.split(/\s+/).length <= LONG_TURN_WORDS) return text;
  const sents = sentences(text);
  const words = sents.map((s) => s.split(/\s+/).length);
  const hits = sents.map((s) => new Set(termList(s).filter((t) => queryTerms.has(t))));
  let best = { a: 0, b: 0, n: -1 };
  for (let a = 0; a < sents.length; a++) {
    const have = new Set<string>();
    let used = 0;
    let b = a;
    while (b < sents.length && (b === a || used + words[b]! <= maxWords)) {
      used += words[b]!;
      for (const t of hits[b]!) have.add(t);
      b++;
    }
    if (have.size > best.n) best = { a, b, n: have.size };
  }
  if (best.n <= 0) return text;
  let body = sents.slice(best.a, best.b).join(" ");
  const w = body.split(/\s+/);
  if (w.length > maxWords) body = w.slice(0, maxWords).join(" ");
  return `${best.a > 0 ? "… " : ""}${body}${best.b < sents.length || w.length > maxWords ? " …" : ""}`;
}
