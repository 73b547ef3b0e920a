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

/** The speaker's own likes and dislikes: "I like pizza." is worth a memory even with one content word. */
const OWN_TASTE = /\b(I|we)\s+(really\s+|just\s+|also\s+|absolutely\s+|totally\s+|still\s+|always\s+)*(love|like|enjoy|prefer|hate|dislike|adore|can'?t stand|don'?t eat|do not eat|never eat)\b|\b(my|our)\s+(all[- ]time\s+)?favou?rite\b|\b(I'm|I’m|I am)\s+(allergic to|vegetarian|vegan|a fan of|into)\b/i;

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
export function isFiller(sentence: string, continues = false): boolean {
  const raw = sentence.trim();
  const ct = termList(raw).length;
  if (OWN_TASTE.test(raw) && ct >= 1 && !/\b(I|we) (really |just |also |absolutely |totally )*(love|like|enjoy) (that|it|this|them|your|how|the way|what|when|seeing|hearing)\b/i.test(raw)) return false;
  // "She's an architect." — one content word, still a fact about someone.
  if (COPULA_NOUN.test(raw)) return false;
  // "Hey John, cool that you made it." — the greeting and the name called are not content.
  const core = compressText(raw).replace(VOCATIVE_HEAD, "").replace(VOCATIVE_TAIL, "$1");
  const cc = termList(core).length;
  if (ct < 2 || cc < 2) return true;
  if (FILLER.test(core) && ct < 5) return true;
  if (ADDRESSED.test(core) && ct < 9) return true;
  if (FEELING.test(core) && ct < 9) return true;
  if (PRAISE.test(core) && ct < 8 && !/\b(I|my|we|our)\b/.test(core)) return true;
  if (DATED.test(core)) return false;
  // "Let's keep supporting each other", "You got this", "Your support means a lot to me".
  if (/^(let['’]s|let us|you|your|you['’]re|you['’]ve)\b/i.test(core) && !/\b(I|I'm|I’m|I've|I’ve|my|we|our)\b/.test(core)) return true;
  // A sentence that continues an informative one keeps its place ("They talked about ...").
  if (continues) return false;
  if (specific(core)) return false;
  return true;
}

const VOCATIVE_HEAD = /^((hey|hi|hello|oh|wow|yeah|yes|thanks|thank you|aw+|haha|lol|omg|dude|man|so)[,!.]?\s+)*[A-Z][\p{L}]+[,!]\s+/u;
const VOCATIVE_TAIL = /,\s*[A-Z][\p{L}]+\s*([.!?]*)$/u;
const DATED = /\b(yesterday|today|tonight|tomorrow|last|next|ago|this (week|weekend|month|year|morning|evening|summer|winter|spring|fall)|since|(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|June|July|August|September|October|November|December|\[= )\b|\bin (a|an|one|two|three|four|five|six|a few|a couple of) (days?|weeks?|months?|years?)\b/i;
/** Something happened, is owned, planned or done: a verb of an event with a first-person subject. */
const DOING =
  /\b(went|visited|attended|started|start(ing)?|joined|finished|bought|moved|got|get(ting)?|took|made|met|saw|painted|ran|won|lost|adopted|travel(l)?ed|signed|volunteer(ed|ing)?|graduated|hosted|organi[sz]ed|launched|received|celebrated|learn(ed|t|ing)|tried|read(ing)?|wrote|writ(e|ing)|built|play(ed|ing)|perform(ed|ing)|completed|began|left|quit|found|gave|competed|participated|watched|watching|cook(ed|ing)|bak(ed|ing)|camp(ed|ing)|hik(ed|ing)|creat(ed|ing)|published|released|accepted|applied|opened|decided|plan(ned|ning)?|work(ed|ing)?|study(ing)?|studied|own|teach(ing)?|taught|practic(e|ed|ing)|train(ed|ing)|collect(ed|ing)?|visit(ing)?|stay(ed|ing)|live[ds]?|living|spent|spend(ing)?|brought|picked|gonna|going to|hoping to|thinking of|named|called|bought|sold|broke|fell|hurt|injured|adopted|married|divorced|engaged|born|retired|hired|fired|promoted|scored|climbed|swam|surfed|danced|sang|drew|fixed|repaired|designed|sewed|knitted|planted|grew|raised|rescued|donated|raised|ran|cycled|biked|drove|flew|moved|returned|arrived|traveled|travelled|toured|explored|walked|read|finished|signed|enrolled|won|lost|got back|came back|left)\b/i;
const SELF_SUBJECT = /\b(I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|we|we're|we’re|we've|we’ve|my|our)\b/;
/** "I have a dog", "we got two cats", "my kids are ...": the speaker's belongings and people. */
const OWNS = /\b(I|we)\s+(have|has|had|got|own|owned|'ve got|’ve got)\s+(a|an|two|three|four|five|some|my|our|\d)\b|^(my|our)\s+(?!own\b|best\b|goal|dream|passion|heart|mind|life\b)[\p{L}-]+|\b(I'm|I’m|I am|we're|we’re)\s+(from|in|at|with|a|an|on|moving|going to|planning|taking|starting|learning|reading|writing|working|training|studying|building|making|painting|volunteering|hosting|organi[sz]ing|thinking of|getting|trying)\b/iu;
/** Talk about the listener ("I'm sure you'll enjoy it", "your kind words"): no fact about the speaker. */
const TO_LISTENER = /\b(you|your|yours|yourself|you're|you’re|you've|you’ve|you'll|you’ll|you'd|you’d)\b/i;
/** Opens on a pronoun or an evaluation, not on someone doing something. */
const VAGUE_OPENING = /^(it|it's|it’s|that|that's|that’s|this|this's|they|they're|they’re|there|there's|these|those|nothing|everything|something|such|what a|how|so|and|but|plus|just|yeah|yes|definitely|absolutely|totally|really|true|exactly|agreed)\b/i;

/**
 * Whether a sentence says something particular: a number or a name, or the speaker doing,
 * having or planning something. "Working out together is a great way of bonding." is not.
 *
 * @example
 * ```ts
 * specific("I'm reading a fantasy book that captivates me."); // true
 * specific("Believe in yourself and keep going."); // false
 * ```
 */
export function specific(sentence: string): boolean {
  if (/\d/.test(sentence)) return true;
  // A name: a capitalised word that does not open the sentence and is not "I" or shouting.
  if (/\s(?!I\b|I['’])[A-Z][\p{Ll}][\p{L}]*/u.test(sentence.replace(/^\S+\s*/, " "))) return true;
  if (OWNS.test(sentence)) return true;
  if (!SELF_SUBJECT.test(sentence)) return false;
  // "I'm sure you'll love it", "It made me think we can make a difference", "I won't give up": no fact.
  if (TO_LISTENER.test(sentence) || VAGUE_OPENING.test(sentence) || VAGUE_SELF.test(sentence)) return false;
  // The speaker doing something: a known event verb, or any statement with enough content ("I keep my key under the flowerpot").
  return DOING.test(sentence) || termList(sentence).length >= 4;
}

/** First-person lines that state a feeling, a wish or a resolve rather than a fact. */
const VAGUE_SELF =
  /\b(I|we)\s*(['’]m|['’]ll|['’]d|['’]ve| am| will| would| have)?\s*(so |really |just |totally |definitely |always |still |also )*(think|thought|guess|feel|felt|hope|bet|believe|wish|agree|appreciate|can['’]?t wait|won['’]?t (quit|give up|stop|let)|keep (going|pushing|at it|working|trying)|do my best|love to|like to|sure|glad|happy|grateful|thankful|proud|excited|stoked|pumped|determined|hoping|looking forward|mean it|know what you mean|understand|get it|love (that|it|this|how|the way|when|seeing|hearing))\b/i;

/**
 * Whether a sentence states a feeling, a wish or a resolve of the speaker ("I'm so glad",
 * "I won't give up") rather than a fact.
 *
 * @example
 * ```ts
 * vagueSelf("I won't give up on my dreams."); // true
 * vagueSelf("I moved to Denver."); // false
 * ```
 */
export function vagueSelf(sentence: string): boolean {
  return VAGUE_SELF.test(sentence);
}
