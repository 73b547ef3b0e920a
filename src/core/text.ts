/**
 * Text utilities shared by extraction, embedding and recall: word tokens,
 * stop words and a light suffix-stripping stemmer (pure functions).
 */

/**
 * English stop words (function words and chat filler) ignored by matching.
 *
 * @example
 * ```ts
 * STOP_WORDS.has("the"); // true
 * STOP_WORDS.has("boston"); // false
 * ```
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below between both but by can can't cannot could couldn't " +
    "did didn't do does doesn't doing don't down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers " +
    "herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only or " +
    "other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then " +
    "there there's these they they'd they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what what's " +
    "when when's where where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves " +
    "let also just really so yeah yes oh wow hey hi hello thanks thank okay ok lol haha hmm um uh well like got get gets go going gonna wanna would will shall may might must " +
    "did does done do much many lot lots thing things stuff one ones something anything everything someone anyone everyone im ive dont didnt cant wont thats its " +
    "kind sort pretty quite totally definitely absolutely sure always never ever still even though via"
  ).split(/\s+/),
);

/** A letter or a digit: what a word starts with (`[\p{L}\p{N}]`). */
const WORD_START_RE = /^[\p{L}\p{N}]$/u;
/** Character classes of the ASCII range: 1 a letter or digit, 2 `'` or `-` (inside words only), 0 anything else. */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_CLASS[c] = WORD_START_RE.test(String.fromCharCode(c)) ? 1 : c === 0x27 || c === 0x2d ? 2 : 0;
/** Classes of the non-ASCII code points seen so far (few distinct ones occur). */
const nonAsciiClass = new Map<number, number>();

function charClass(cp: number): number {
  if (cp < 128) return ASCII_CLASS[cp]!;
  if (cp === 0x2019) return 2;
  let k = nonAsciiClass.get(cp);
  if (k === undefined) {
    k = WORD_START_RE.test(String.fromCodePoint(cp)) ? 1 : 0;
    nonAsciiClass.set(cp, k);
  }
  return k;
}

/**
 * The word tokens of a lower-cased text: maximal runs matching
 * `/[\p{L}\p{N}][\p{L}\p{N}'’-]* /u`, scanned by code point (a hand-written scanner:
 * the regular expression was the costliest part of ingest's tokenising).
 */
function scanWords(s: string): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    let cp = s.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) (cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000), (width = 2);
    }
    if (charClass(cp) !== 1) {
      i += width;
      continue;
    }
    const start = i;
    let curly = false;
    i += width;
    while (i < n) {
      cp = s.charCodeAt(i);
      width = 1;
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) (cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000), (width = 2);
      }
      if (charClass(cp) === 0) break;
      if (cp === 0x2019) curly = true;
      i += width;
    }
    let w = s.slice(start, i);
    if (curly) w = w.replace(/’/g, "'");
    let end = w.length;
    while (end > 0 && w.charCodeAt(end - 1) === 0x2d) end--;
    if (end < w.length) w = w.slice(0, end);
    if (w.endsWith("'s")) w = w.slice(0, -2);
    if (w.length > 0) out.push(w);
  }
  return out;
}

/**
 * A small memo of a pure function of a string: ingest tokenises the same texts several
 * times (extraction, consolidation, the memory index, embedding, the full-text rows).
 * Two generations of at most `size` entries each; the older one is dropped when the
 * newer one fills up, so it stays bounded.
 *
 * @example
 * ```ts
 * const upper = new StringMemo(1024, (s) => s.toUpperCase());
 * upper.get("abc"); // "ABC", computed once
 * ```
 */
export class StringMemo<T> {
  private young = new Map<string, T>();
  private old = new Map<string, T>();
  private readonly size: number;
  private readonly compute: (s: string) => T;

  constructor(size: number, compute: (s: string) => T) {
    this.size = size;
    this.compute = compute;
  }

  get(s: string): T {
    let v = this.young.get(s);
    if (v !== undefined) return v;
    v = this.old.get(s);
    if (v === undefined) v = this.compute(s);
    if (this.young.size >= this.size) (this.old = this.young), (this.young = new Map());
    this.young.set(s, v);
    return v;
  }
}

const wordMemo = new StringMemo<readonly string[]>(4096, (text) => scanWords(text.toLowerCase()));

/**
 * {@link words}, shared and read-only (memoised): for callers that only read the tokens.
 *
 * @example
 * ```ts
 * for (const w of wordTokens("I moved to Boston")) console.log(w); // "i", "moved", "to", "boston"
 * ```
 */
export function wordTokens(text: string): readonly string[] {
  return wordMemo.get(text);
}

/**
 * Lower-cased word tokens, apostrophes normalised, trailing possessive "'s" removed.
 *
 * @example
 * ```ts
 * words("Caroline's new painting’s great!"); // ["caroline", "new", "painting", "great"]
 * ```
 */
export function words(text: string): string[] {
  return wordMemo.get(text).slice();
}

/**
 * Irregular forms and chat shorthand → a base word, so "won" matches "win", "bought" "buy" and "fave" "favorite".
 *
 * @example
 * ```ts
 * IRREGULAR.get("bought"); // "buy"
 * IRREGULAR.get("fave"); // "favorite"
 * ```
 */
export const IRREGULAR: ReadonlyMap<string, string> = new Map(
  (
    "won:win went:go gone:go saw:see seen:see made:make took:take taken:take got:get gotten:get bought:buy met:meet ran:run ate:eat eaten:eat " +
    "gave:give given:give found:find felt:feel told:tell thought:think began:begin begun:begin wrote:write written:write drove:drive driven:drive " +
    "flew:fly flown:fly left:leave lost:lose kept:keep brought:bring taught:teach caught:catch sang:sing sung:sing swam:swim fell:fall fallen:fall " +
    "chose:choose chosen:choose held:hold built:build sent:send spent:spend paid:pay sold:sell slept:sleep grew:grow grown:grow knew:know known:know " +
    "drew:draw drawn:draw wore:wear worn:wear broke:break broken:break spoke:speak spoken:speak forgot:forget forgotten:forget rode:ride ridden:ride " +
    "threw:throw thrown:throw understood:understand became:become came:come heard:hear stood:stand sat:sit led:lead meant:mean fought:fight " +
    "taught:teach shot:shoot hung:hang dug:dig fed:feed stuck:stick struck:strike woke:wake woken:wake froze:freeze frozen:freeze hid:hide " +
    "shook:shake shaken:shake bit:bite bitten:bite blew:blow blown:blow adopted:adopt children:child kids:kid mice:mouse feet:foot teeth:tooth " +
    "men:man women:woman people:person " +
    // chat shorthand
    "fave:favorite fav:favorite favourite:favorite pic:photo pics:photo photos:photo picture:photo pictures:photo bday:birthday vacay:vacation " +
    "kiddos:kid kiddo:kid hubby:husband mom:mother mum:mother dad:father grandma:grandmother grandpa:grandfather convo:conversation"
  )
    .split(" ")
    .map((p) => p.split(":") as [string, string]),
);

/**
 * Words to add to a text's full-text index entry: the base forms of its irregular
 * verbs ("We won a trophy" also indexes "win"), since the index's own stemmer does not
 * know them.
 *
 * @example
 * ```ts
 * indexExtras("We won and went home"); // "win go"
 * ```
 */
export function indexExtras(text: string): string {
  const out = new Set<string>();
  for (const w of wordTokens(text)) {
    const base = IRREGULAR.get(w);
    if (base) out.add(base);
  }
  return [...out].join(" ");
}

/** Stems of the words seen so far (a vocabulary: small, bounded anyway). */
const stems = new Map<string, string>();

/**
 * A light English stemmer (plural, -ing, -ed, -ly, -ies), enough to match
 * "painting"/"paints"/"painted" → "paint". Deterministic and fast.
 *
 * @example
 * ```ts
 * stem("painting"); // "paint"
 * stem("stories"); // "story"
 * stem("won"); // "win"
 * ```
 */
export function stem(word: string): string {
  let s: string | undefined = stems.get(word);
  if (s === undefined) {
    s = stemUncached(word);
    if (stems.size >= 50_000) stems.clear();
    stems.set(word, s);
  }
  return s;
}

function stemUncached(word: string): string {
  const base = IRREGULAR.get(word);
  let w = base ?? word;
  if (w.length <= 3) return w;
  if (w.endsWith("ies") && w.length > 4) return w.slice(0, -3) + "y";
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (w.endsWith("ness") && w.length > 6) w = w.slice(0, -4);
  else if (w.endsWith("ing") && w.length > 5) {
    w = w.slice(0, -3);
    if (/([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
  } else if (w.endsWith("ed") && w.length > 4) {
    w = w.slice(0, -2);
    if (/([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
  } else if (w.endsWith("ly") && w.length > 5) w = w.slice(0, -2);
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

/**
 * Content terms: words minus stop words, stemmed.
 *
 * @example
 * ```ts
 * terms("I went to the painting classes"); // ["paint", "class"]
 * ```
 */
export function terms(text: string): string[] {
  return termMemo.get(text).slice();
}

/**
 * {@link terms}, shared and read-only (memoised): for callers that only read them.
 *
 * @example
 * ```ts
 * new Set(termList("I went to the painting classes")); // Set {"paint", "class"}
 * ```
 */
export function termList(text: string): readonly string[] {
  return termMemo.get(text);
}

const termMemo = new StringMemo<readonly string[]>(4096, (text) => {
  const out: string[] = [];
  for (const w of wordTokens(text)) {
    if (STOP_WORDS.has(w) || w.length < 2) continue;
    const s = stem(w);
    if (!STOP_WORDS.has(s)) out.push(s);
  }
  return out;
});

/**
 * Content words (unstemmed, no stop words) — what full-text search is given.
 *
 * @example
 * ```ts
 * contentWords("I went to the painting classes"); // ["went", "painting", "classes"]
 * ```
 */
export function contentWords(text: string): string[] {
  return wordTokens(text).filter((w) => !STOP_WORDS.has(w) && w.length > 1);
}

/**
 * Splits text into sentences (keeps the punctuation).
 *
 * @example
 * ```ts
 * sentences("I moved to Boston. It's cold! Do you like it?"); // ["I moved to Boston.", "It's cold!", "Do you like it?"]
 * ```
 */
export function sentences(text: string): string[] {
  const parts = text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?…])\s+(?=["'“(]?[\p{Lu}\p{N}])/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return parts.length ? parts : [];
}

/**
 * 32-bit FNV-1a hash of a string.
 *
 * @example
 * ```ts
 * fnv1a("hello"); // 1335831723
 * fnv1a("hello") % 384; // a bucket index
 * ```
 */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SOFT_WORDS = /\b(really|so|very|totally|super|pretty|just|actually|definitely|absolutely|literally|quite|basically|honestly|seriously|truly|kinda|sorta|like,|you know,|i mean,)\s+/gi;
const INTERJECTION = /(^|[.!?]\s+|"|\s)(wow|whoa|oh|ah|aw+|yeah|yep|yay|haha\w*|lol|omg|ugh|hmm+|hey|gosh|oops|phew|hehe)\b[,!.]*\s*/gi;
const EMOJI = /[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu;

/**
 * Terse rendering for the context (the stored text is untouched): drops emoji,
 * interjections, intensifiers and repeated punctuation. Content words, names, numbers,
 * negations and dates are kept, so a reader loses tone, not facts.
 *
 * @example
 * ```ts
 * compressText("Wow, that's really so cool!! 😍 I got a new puppy."); // "that's cool! I got a new puppy."
 * ```
 */
export function compressText(text: string): string {
  return compressMemo.get(text);
}

const compressMemo = new StringMemo<string>(4096, (text) =>
  text
    .replace(EMOJI, "")
    .replace(INTERJECTION, "$1")
    .replace(SOFT_WORDS, "")
    .replace(/([!?.])\1+/g, "$1")
    .replace(/\s+([,.!?])/g, "$1")
    .replace(/\s{2,}/g, " ")
    .replace(/^[,.!\s]+/, "")
    .trim(),
);
