import { SENSITIVITY_CATEGORIES, type SensitivityCategory } from "../core/types.js";
import { CREDENTIAL_WORDS, SENSITIVE_LEXICON } from "./lexicon.js";

/** One word-start regex per lexicon list: `*` is any word ending; entries are whole words otherwise. */
function compile(words: readonly string[]): RegExp {
  const alts = words.map((w) => w.replace(/\*/g, "[\\w'’-]*").replace(/ /g, "\\s+"));
  return new RegExp(`(?<![\\w'’-])(?:${alts.join("|")})(?![\\w'’-])`, "i");
}

type Cat = Exclude<SensitivityCategory, "credentials">;
const CATS = Object.keys(SENSITIVE_LEXICON) as Cat[];
const CONTENT = new Map(CATS.map((c) => [c, compile(SENSITIVE_LEXICON[c].content)]));
const TOPIC = new Map(CATS.map((c) => [c, compile(SENSITIVE_LEXICON[c].topic)]));
const CREDENTIAL = compile(CREDENTIAL_WORDS);
/** Values that are credentials whatever words surround them: API keys, tokens, SSNs. */
const SECRET_TOKEN = /\b(?:sk-[A-Za-z0-9_-]{16,}|sk_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|\d{3}-\d{2}-\d{4})\b/g;
/** "PIN is 4821", "password for my bank: hunter2!", "the wifi password is 'tr0ub4dor'", "my PIN, 4821". */
const CREDENTIAL_VALUE = new RegExp(
  `(${CREDENTIAL.source})((?:\\s+(?:for|to|of|on|at)\\s+(?:my|the|our|your|his|her|their)?\\s*(?:[\\w'’-]+\\s+){0,3}?[\\w'’-]+)?\\s*(?:(?:is|was|are|=|:|-|,|–|—)\\s*(?:now|still|just|also)?\\s*|\\s+(?:now\\s+)?(?:is\\s+)?))(["'“‘\`]?)([^\\s"'”’\`,;]{3,}?)(["'”’\`]?)(?=[\\s,;)]|[.!?](?:\\s|$)|$)`,
  "gi",
);
/** A card number: 13 to 19 digits, spaces or dashes allowed, passing the Luhn check. */
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) (d *= 2), d > 9 && (d -= 9);
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * What replaces a redacted credential.
 *
 * @example
 * ```ts
 * redactCredentials("My PIN is 4821.").text; // "My PIN is [redacted]."
 * ```
 */
export const REDACTED = "[redacted]";

/** Words that follow a credential word but are no secret ("my password is weak", "PIN is the same"). */
const NOT_A_VALUE = /^(?:a|an|the|my|your|his|her|our|their|this|that|it|not|too|very|so|same|different|easy|hard|weak|strong|long|short|simple|new|old|wrong|right|correct|incorrect|expired|changed|reset|saved|stored|written|required|needed|missing|forgotten|lost|secure|insecure|safe|in|on|at|to|for|of|and|or|but|with|without|somewhere|here|there)$/i;

/**
 * Removes credential values (PINs, passwords, codes, API keys, tokens, card and social
 * security numbers) from a text, keeping the words around them. Applied to every message
 * before it is stored, so a secret never reaches the database, the full-text index, the
 * vectors or a memory. Returns how many values were replaced.
 *
 * @example
 * ```ts
 * redactCredentials("My bank PIN is 4821 and the wifi password is 'sunflower22'.");
 * // { text: "My bank PIN is [redacted] and the wifi password is '[redacted]'.", count: 2 }
 * ```
 */
export function redactCredentials(text: string): { text: string; count: number } {
  let count = 0;
  let out = text.replace(CREDENTIAL_VALUE, (all, word: string, gap: string, open: string, value: string, close: string) => {
    if (NOT_A_VALUE.test(value) || value === REDACTED || value.startsWith("[redacted")) return all;
    // Without "is"/":" between them ("my password yesterday"), only a value with a digit or symbol counts ("my PIN 4821").
    if (!/(?:\bis\b|\bwas\b|\bare\b|[=:,–—-])/.test(gap) && /^[A-Za-z'’]+$/.test(value)) return all;
    // A plain word after "login" or "combination" is rarely a secret; a value with a digit or symbol is.
    if (/^[a-z]+$/i.test(value) && /^(?:login|combination|otp)$/i.test(word.trim())) return all;
    count++;
    return `${word}${gap}${open}${REDACTED}${close}`;
  });
  out = out.replace(SECRET_TOKEN, () => (count++, REDACTED));
  out = out.replace(CARD, (m) => {
    const digits = m.replace(/\D/g, "");
    if (digits.length < 13 || !luhn(digits)) return m;
    count++;
    return REDACTED;
  });
  return { text: out, count };
}

/**
 * The sensitive categories a text touches (offline lexicons, see {@link SENSITIVE_LEXICON}),
 * in {@link SENSITIVITY_CATEGORIES} order. A text holding a credential word or a redacted
 * value is "credentials".
 *
 * @example
 * ```ts
 * tagSensitivity("I was diagnosed with type 2 diabetes and I owe $40k in student loans.");
 * // ["health", "finances"]
 * tagSensitivity("We went hiking on Saturday."); // []
 * ```
 */
export function tagSensitivity(text: string): SensitivityCategory[] {
  const found = new Set<SensitivityCategory>();
  for (const c of CATS) if (CONTENT.get(c)!.test(text)) found.add(c);
  if (text.includes(REDACTED) || CREDENTIAL.test(text)) found.add("credentials");
  return SENSITIVITY_CATEGORIES.filter((c) => found.has(c));
}

/**
 * The sensitive categories a question is about: its own sensitive words plus the topic
 * words of each category ("What did my doctor say?" → health).
 *
 * @example
 * ```ts
 * queryCategories("What medication am I on?"); // ["health"]
 * queryCategories("Draft an email to my landlord about the heating."); // []
 * ```
 */
export function queryCategories(query: string): SensitivityCategory[] {
  const found = new Set(tagSensitivity(query));
  for (const c of CATS) if (TOPIC.get(c)!.test(query)) found.add(c);
  return SENSITIVITY_CATEGORIES.filter((c) => found.has(c));
}

/**
 * Sorted union of category lists (for a memory tagged by the extractor and by the lexicon).
 *
 * @example
 * ```ts
 * mergeCategories(["health"], ["finances", "health"]); // ["health", "finances"]
 * ```
 */
export function mergeCategories(...lists: Array<readonly SensitivityCategory[] | undefined>): SensitivityCategory[] {
  const all = new Set(lists.flatMap((l) => l ?? []));
  return SENSITIVITY_CATEGORIES.filter((c) => all.has(c));
}
