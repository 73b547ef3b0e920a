/**
 * The dates a shown turn says relative to the day it was said ("last year", "two weeks ago",
 * "next Friday", "yesterday"), resolved without chrono-node: recall shows dozens of turns, and
 * loading chrono and warming its parsers cost a process's first recall ≈ 0.4 s (its
 * semantics are kept: test/recall-relative-dates.test.ts compares every form below with
 * chrono through `dateNotes` on many days; one deliberate difference: "last night" is the
 * day before, where chrono gives the same day when said in the afternoon). Pure and synchronous.
 */
import { formatDay, relativeSpan, timeLabel, utcDay } from "../core/time.js";
import { addUnits, NUMBER } from "../ingest/extract/dates.js";

const DAY = 86_400_000;
const N = "(a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\\s+few|a\\s+couple\\s+of|\\d{1,2})";
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/**
 * A date said relative to the day it was said, not one the words already name ("on March
 * 25"), nor the day itself ("today": the date header says it). Sentences without one are
 * not looked at further.
 *
 * @example
 * ```ts
 * RELATIVE.test("I painted that last year"); // true
 * ```
 */
export const RELATIVE =
  /\b(yesterday|tomorrow|ago)\b|\b(last|next|this|coming|past)\s+(few\s+|couple\s+(of\s+)?)?(week|weekend|month|year|night|morning|evening|afternoon|summer|winter|spring|fall|autumn|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b|\bin\s+(a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of|\d+)\s+(days?|weeks?|months?|years?)\b/i;

const FORMS = new RegExp(
  [
    "\\b(?<dayword>yesterday|tomorrow)\\b",
    "\\blast\\s+night\\b",
    `\\b${N}\\s+(?<agoUnit>days?|weeks?|months?|years?)\\s+ago\\b`,
    `\\bin\\s+${N}\\s+(?<inUnit>days?|weeks?|months?|years?)\\b`,
    "\\b(?<dir>last|next|this|coming|past)\\s+(?<span>week|weekend|month|year|summer|winter|spring|fall|autumn)\\b",
    "\\b(?<wdir>last|next|this)\\s+(?<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b",
  ].join("|"),
  "gi",
);

/** "two", "a few", "a couple of", "3" → a count. */
function countOf(words: string): number {
  const w = words.toLowerCase().replace(/\s+/g, " ").replace(/^a (few|couple)( of)?$/, "$1");
  return NUMBER[w] ?? Number(w);
}

/** One matched form resolved against the day it was said, or null (a form that names no date). */
function resolve(m: RegExpMatchArray, ref: Date): string | null {
  const g = m.groups ?? {};
  const day = utcDay(ref);
  if (g.dayword) return formatDay(new Date(day.getTime() + (g.dayword.toLowerCase() === "yesterday" ? -DAY : DAY)));
  if (/^last\s+night$/i.test(m[0])) return formatDay(new Date(day.getTime() - DAY));
  const unit = g.agoUnit ?? g.inUnit;
  if (unit) {
    const n = countOf(m[0].replace(/^in\s+/i, "").replace(/\s+(days?|weeks?|months?|years?)(\s+ago)?$/i, ""));
    if (!Number.isFinite(n) || n <= 0) return null;
    // "three years ago" is a year, "in two weeks" around a day (src/ingest/extract/dates.ts, addUnits)
    const { from, granularity } = addUnits(ref, g.agoUnit ? -n : n, unit);
    return (g.inUnit && granularity === "day" ? "around " : "") + timeLabel(from, granularity);
  }
  if (g.dir) {
    // "coming" is "next"; a season is its year (src/core/time.ts, relativeSpan)
    const { start, granularity } = relativeSpan(g.dir.toLowerCase() === "coming" ? "next" : g.dir, g.span!, ref);
    return timeLabel(start, granularity);
  }
  if (g.wdir) {
    const dir = g.wdir.toLowerCase();
    const want = WEEKDAYS.indexOf(g.weekday!.toLowerCase());
    const today = day.getUTCDay();
    if (dir === "last") return formatDay(new Date(day.getTime() - (((today - want + 7) % 7) || 7) * DAY));
    // "this Friday": the next one on or after the day; "next Friday": the one of the following (Monday-first) week
    if (dir === "this") return formatDay(new Date(day.getTime() + ((want - today + 7) % 7) * DAY));
    const monday = new Date(day.getTime() - ((today + 6) % 7) * DAY);
    return formatDay(new Date(monday.getTime() + (7 + ((want + 6) % 7)) * DAY));
  }
  return null;
}

/**
 * The resolved dates of a text's relative date words, in order, without repeats.
 *
 * @example
 * ```ts
 * relativeDates("I painted that lake sunrise last year! I ran last Saturday.", "2023-05-08T13:56:00.000Z"); // ["2022", "6 May 2023"]
 * relativeDates("Three years ago I started.", "2023-05-08T13:56:00.000Z"); // ["2020"]
 * ```
 */
export function relativeDates(text: string, saidAt: string): string[] {
  const ref = new Date(saidAt);
  if (!Number.isFinite(ref.getTime()) || !RELATIVE.test(text)) return [];
  const out: string[] = [];
  for (const m of text.matchAll(FORMS)) {
    const d = resolve(m, ref);
    if (d !== null && !out.includes(d)) out.push(d);
  }
  return out;
}
