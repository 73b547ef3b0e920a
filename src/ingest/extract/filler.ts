import { compressText, termList } from "../../core/text.js";

/** Sentence openings that make short chat filler ("Wow, ...", "Thanks!", "Sounds great"). */
export const FILLER =
  /^(wow|whoa|aw+|omg|oof|ouch|sorry|oh no|(so |really )?glad|happy for|proud of|good for|hope|keep (it|up)|you got this|take care|love (that|it|this)|that sounds|sounds|thanks?|thank you|congrat\w*|haha\w*|lol|yay|cool|nice|great|awesome|amazing|sounds? (great|fun|good|amazing|awesome)|good (luck|to see you|to hear)|take care|bye|see you|same here|me too|you too|exactly|absolutely|totally|i agree|that'?s (so |really )?(great|awesome|amazing|cool|nice|true|wonderful|sweet|fantastic|inspiring|beautiful)|hey|hi|hello)\b/i;

/** Wishes, thanks and requests aimed at the listener: "Let me know how it goes.", "Have fun!". */
const ADDRESSED =
  /^(please\s+)?(let (me|us) know|keep (me|us) (posted|updated|in the loop)|tell me (more|how|all)|have (a |an )?(fun|great|good|nice|blast|wonderful|amazing|safe)|enjoy( it| yourself| the)?\b|take care|good luck|best of luck|don'?t hesitate|feel free|stay safe|hang in there|keep (going|it up|at it|pushing|doing)|you('ve| have) got this|you('re| are) (doing )?(so |really )?(great|amazing|awesome|doing great|an inspiration|a great|such a)|you (should|must) be (so |really )?proud|can'?t wait to (see|hear)|i can'?t wait to (see|hear)|looking forward to (seeing|hearing))\b/i;

/** Praise of something just shown or said: "Mochi is a cute name!", "They look great!". */
const PRAISE =
  /^(it|that|this|they|these|those|he|she|[A-Z][\p{L}'’-]+|(?:the|your|that|this|what a)\s+[\p{L}'’ -]{1,30}?)\s+(is|are|was|were|looks?|sounds?|seems?|must be)\s+(so |really |very |such |super |truly |absolutely |pretty )*(a |an )?(cute|great|amazing|awesome|beautiful|lovely|nice|cool|fun|wonderful|fantastic|gorgeous|adorable|incredible|impressive|inspiring|delicious|good|stunning|sweet|perfect|brilliant|special|precious|charming|neat|tough|hard|exciting|interesting|thoughtful)\b[^.!]*[.!]*$/iu;

/** Feelings about the listener's news: "I'm so happy for you!", "I'm glad you had fun." */
const FEELING = /^i('m| am) (so |really |very |super |just )*(glad|happy|sorry|proud|excited|thrilled|stoked) (for you|to hear|that you|you)\b/i;

/** "She's an architect.", "I'm a nurse.": who someone is. */
const COPULA_NOUN = /^(I|he|she|they|we|[A-Z][\p{L}-]+)(['’]s|['’]m|['’]re| is| am| are| was)\s+(a|an)\s+(?!(great|good|nice|cute|lovely|beautiful|amazing|awesome|wonderful|fun|cool|real|big|huge|sweet|perfect|little)\b)[\p{L}-]+/iu;

/** Words that make a sentence about the speaker's own life. */
const SELF = /\b(I|my|me|mine|we|our|us)\b/i;
/** Likes and dislikes: "I like pizza." is worth a memory even with one content word. */
const PREFERENCE = /\b(love[sd]?|like[sd]?|enjoy(?:s|ed)?|prefer(?:s|red)?|hate[sd]?|dislike[sd]?|can'?t stand|favou?rite|allergic to|don'?t eat|do not eat|vegetarian|vegan)\b/i;

/**
 * Whether a sentence is chat filler (greeting, acknowledgement, compliment, wish, small
 * talk) rather than something worth remembering. Questions are handled by the caller.
 *
 * @example
 * ```ts
 * isFiller("Wow, they look great!"); // true
 * isFiller("Let me know how it goes."); // true
 * isFiller("Mochi is a cute name!"); // true
 * isFiller("I like pizza."); // false
 * ```
 */
export function isFiller(sentence: string): boolean {
  const raw = sentence.trim();
  const ct = termList(raw).length;
  if (SELF.test(raw) && PREFERENCE.test(raw) && ct >= 1 && !/^i (just )?(love|like) (that|it|this|them|your|how|the way|what)\b/i.test(raw)) return false;
  // "She's an architect." — one content word, still a fact about someone.
  if (COPULA_NOUN.test(raw)) return false;
  const core = compressText(raw);
  const cc = termList(core).length;
  if (ct < 2 || cc < 2) return true;
  if (FILLER.test(core) && ct < 5) return true;
  if (ADDRESSED.test(core) && ct < 9) return true;
  if (FEELING.test(core) && ct < 9) return true;
  if (PRAISE.test(core) && ct < 8 && !/\b(I|my|we|our)\b/.test(core)) return true;
  return false;
}
