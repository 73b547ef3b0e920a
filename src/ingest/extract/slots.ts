/**
 * Single-valued facts (where someone lives, works, ...) found in the speaker's own words,
 * with the subject the clause is about: "I live in Boston" is the speaker's, "My boss Karen
 * lives in Dallas" is Karen's, "my sister lives in Chicago" is "<speaker>'s sister"'s.
 */

const SLOT_VERBS: Array<[RegExp, string]> = [
  [/\b(?:live|lives|living|lived|moved|moving|relocated|relocating)\s+(?:back\s+)?(?:in|to)\s+(.+)/i, "lives_in"],
  [/\b(?:work|works|working)\s+(?:as|at|for)\s+(.+)/i, "job"],
  [/\b(?:started|start|starting|got|accepted|took)\s+(?:a\s+|my\s+|the\s+)?(?:new\s+)?(?:job|position|role)\s+(?:as|at|with)\s+(.+)/i, "job"],
  [/\b(?:start|started|starting|begin|began|beginning)\s+(?:work\s+|working\s+|(?:a|my|his|her|their|our)\s+new\s+job\s+)?at\s+(.+)/i, "job"],
  [/\bfirst (?:day|week|shift) (?:of work )?at\s+(.+)/i, "job"],
  [/\b(?:joined|am joining|'m joining|’m joining)\s+(.+?)\s+as\s+(?:a|an|the)\b/i, "job"],
  [/\b(?:is|am|'m|’m|are|got|just got|recently got|we're|we’re)\s+(married|single|divorced|engaged|widowed)\b()/i, "relationship_status"],
  [/\b(?:is|am|'m|’m)\s+(\d{1,3})\s+years\s+old\b()/i, "age"],
];

const FIRST_PERSON = /\b(I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|we|we're|we’re|we've|we’ve|me)\b/;
const RELATION = /\bmy\s+(boss|manager|sister|brother|mom|mother|dad|father|wife|husband|partner|fianc[ée]e?|boyfriend|girlfriend|friend|son|daughter|cousin|aunt|uncle|grandma|grandpa|grandmother|grandfather|roommate|colleague|coworker|neighbou?r|best friend|kid|niece|nephew)\b(?:,?\s+([A-Z][\p{L}'’-]+))?/iu;
const NAME = /\b([A-Z][\p{L}'’-]+)\b/gu;
const NOT_NAMES = new Set(["I", "My", "We", "Our", "The", "And", "But", "So", "He", "She", "They", "It", "This", "That", "Then", "Now", "Also", "Just", "Actually", "Well", "Yes", "No", "Oh", "Since", "After", "Before", "When", "Last", "Next"]);
const CLAUSE_BREAK = /(?:[,;:]\s+|\s+(?:and|but|because|while|although|whereas|so)\s+)(?=[^,;:]*$)/i;

function displayOf(rest: string): string {
  const clause = rest.split(/[,.;!?]|\s+(?:and|but|because|since|with|for|after|before|when|where|last|next|this|in\s+(?:[A-Z][a-z]+\s+)?(?:\d|January|February|March|April|May|June|July|August|September|October|November|December))\b/)[0]!.trim();
  const name = /\b([A-Z][\p{L}'’.-]*(?:\s+[A-Z][\p{L}'’.-]*)*)/u.exec(clause)?.[1];
  return (name ?? clause.split(/\s+/).slice(0, 4).join(" ")).replace(/[.!?]+$/, "");
}

function valueOf(rest: string): string {
  return displayOf(rest).toLowerCase();
}

/**
 * Who the words before a slot verb are about: the speaker for "I"/"we", a named relative
 * for "my boss Karen", "<speaker>'s sister" for an unnamed one, a capitalised name, or
 * null when it cannot be told ("he", "they").
 *
 * @example
 * ```ts
 * clauseSubject("My boss Karen ", "Ann"); // "Karen"
 * clauseSubject("I ", "Ann"); // "Ann"
 * ```
 */
export function clauseSubject(prefix: string, speaker: string): string | null {
  const parts = prefix.split(CLAUSE_BREAK);
  const clause = parts[parts.length - 1]!;
  const rel = RELATION.exec(clause);
  if (rel) {
    if (FIRST_PERSON.test(clause.slice(rel.index + rel[0].length))) return speaker;
    return rel[2] && !NOT_NAMES.has(rel[2]) ? rel[2] : `${speaker}'s ${rel[1]!.toLowerCase()}`;
  }
  if (FIRST_PERSON.test(clause)) return speaker;
  const names = [...clause.matchAll(NAME)].map((m) => m[1]!).filter((n) => !NOT_NAMES.has(n));
  if (names.length) return names[names.length - 1]!;
  // "First day at Swedish today." — no subject said: the speaker's own news.
  if (!/\b(he|she|they|it|you|his|her|their|its|your|this|that|there)\b/i.test(clause) && clause.trim().split(/\s+/).length <= 3) return speaker;
  return null;
}

/**
 * The single-valued slot a sentence (in the speaker's own words) sets, per subject:
 * "subject|attribute" plus the value, or null.
 *
 * @example
 * ```ts
 * slotIn("I live in Boston.", "Ann"); // { slot: "ann|lives_in", value: "boston", display: "Boston", attr: "lives_in", subject: "Ann" }
 * slotIn("My boss Karen lives in Dallas.", "Ann")?.slot; // "karen|lives_in"
 * ```
 */
export function slotIn(sentence: string, speaker: string): { slot: string; value: string; display: string; attr: string; subject: string } | null {
  const fav = /\b(my|our|[A-Z][\p{L}-]+['’]s)\s+(?:all[- ]time\s+)?favou?rite\s+(\w+)\s+is\s+(.+)/iu.exec(sentence);
  if (fav) {
    const who = /^(my|our)$/i.test(fav[1]!) ? speaker : fav[1]!.replace(/['’]s$/, "");
    const value = valueOf(fav[3]!) || fav[3]!.toLowerCase();
    return { slot: `${who.toLowerCase()}|favorite_${fav[2]!.toLowerCase()}`, value, display: value, attr: `favorite_${fav[2]!.toLowerCase()}`, subject: who };
  }
  for (const [re, attr] of SLOT_VERBS) {
    const m = re.exec(sentence);
    if (!m) continue;
    const subject = clauseSubject(sentence.slice(0, m.index), speaker);
    if (!subject) return null;
    const display = attr === "relationship_status" || attr === "age" ? m[1]!.toLowerCase() : displayOf(m[1]!);
    const value = display.toLowerCase();
    if (!value) return null;
    return { slot: `${subject.toLowerCase()}|${attr}`, value, display, attr, subject };
  }
  return null;
}

/**
 * The slot of a third-person text ("Caroline lives in Boston"), kept for callers of the
 * old rewrite-based extractor.
 *
 * @example
 * ```ts
 * slotOf("Caroline", "Caroline lives in Boston"); // { slot: "caroline|lives_in", value: "boston" }
 * ```
 */
export function slotOf(subject: string, text: string): { slot: string; value: string } | null {
  if (!text.startsWith(subject)) return null;
  const s = slotIn(`I ${text.slice(subject.length).trim()}`, subject);
  return s && s.subject === subject ? { slot: s.slot, value: s.value } : null;
}
