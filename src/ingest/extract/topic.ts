/**
 * What a sentence is about, so that a fragment ("We fly out on October 12.") keeps the
 * subject it was said under ("the Japan trip") from the sentence or turn before it.
 */

const EVENT_NOUNS =
  "trip|vacation|holiday|honeymoon|wedding|engagement|party|birthday|anniversary|job|interview|offer|promotion|move|surgery|appointment|conference|marathon|race|exam|concert|show|tour|project|class|course|retreat|reunion|visit|flight|launch|recital|game|tournament|festival|camp|hike|cruise";
/** "the Japan trip", "our Lisbon move", "Google interview". */
const NAMED_EVENT = new RegExp(`\\b((?:[A-Z][\\p{L}'’-]+\\s+){1,3})(${EVENT_NOUNS})s?\\b`, "u");
/** "my new job", "the wedding", "our trip to Japan". */
const EVENT = new RegExp(`\\b(?:my|our|the|this|that|his|her|their)\\s+(?:new\\s+|big\\s+|upcoming\\s+|next\\s+|first\\s+)?(${EVENT_NOUNS})s?(\\s+(?:to|in|at|with)\\s+[A-Z][\\p{L}'’-]+(?:\\s+[A-Z][\\p{L}'’-]+)?)?`, "u");
const NOT_TOPIC = /^(I|My|We|Our|The|This|That|So|And|But|Also|Oh|Yes|No|Hey|Hi|Well|Just|Next|Last|Our|Their|His|Her)$/;
/** Sentences that lean on something said before: "We fly out on ...", "It starts at 3pm". */
const LEANS = /^(we|we're|we’re|we'll|we’ll|it|it's|it’s|that|this|they|there|then|and then|plus)\b/i;

/**
 * The topic phrase of a sentence, if it names one: "the Japan trip" → "Japan trip",
 * "my new job at Stripe" → "job at Stripe".
 *
 * @example
 * ```ts
 * topicOf("We're finally planning the Japan trip!"); // "Japan trip"
 * topicOf("I love pizza."); // null
 * ```
 */
export function topicOf(sentence: string): string | null {
  const named = NAMED_EVENT.exec(sentence);
  if (named) {
    const words = named[1]!.trim().split(/\s+/).filter((w) => !NOT_TOPIC.test(w));
    if (words.length) return `${words.join(" ")} ${named[2]}`;
  }
  const ev = EVENT.exec(sentence);
  if (ev) return `${ev[1]}${ev[2] ?? ""}`.trim();
  return null;
}

/**
 * Whether a sentence needs the topic carried in: it names no topic of its own and leans
 * on what came before (opens with "we", "it", ...), and carries a date or is short; or it
 * is a bare date with no one doing anything ("June 14, 2025, in the Skagit Valley.").
 *
 * @example
 * ```ts
 * needsTopic("We fly out on October 12.", true); // true
 * needsTopic("I moved to Denver.", false); // false
 * ```
 */
export function needsTopic(sentence: string, hasDate: boolean): boolean {
  if (topicOf(sentence)) return false;
  if (LEANS.test(sentence.trim())) return hasDate || sentence.length < 80;
  // "June 14, 2025, in the Skagit Valley." — a date with nobody doing anything: the answer to something said before.
  return hasDate && !/\b(I|I'm|I’m|we|he|she|they|my|our|his|her|their|you|your)\b/i.test(sentence) && !/\b[A-Z][a-z]+\s+(is|was|are|were|has|had|will|went|got)\b/.test(sentence);
}
