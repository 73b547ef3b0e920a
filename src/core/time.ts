import { chrono } from "./lazy-deps.js";
import { MnemoError } from "./errors.js";

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const LOCOMO_RE = /^\s*(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})\s*$/i;

/**
 * Parses a date given as a Date, ISO 8601, or a LoCoMo-style "1:56 pm on 8 May, 2023"
 * (read as UTC). Throws INVALID_DATE with the offending value otherwise.
 *
 * @example
 * ```ts
 * parseDate("1:56 pm on 8 May, 2023"); // → "2023-05-08T13:56:00.000Z"
 * ```
 */
export function parseDate(input: string | Date, field = "date"): string {
  if (input instanceof Date) {
    if (Number.isNaN(input.getTime())) throw new MnemoError("INVALID_DATE", `${field} is an invalid Date.`);
    return input.toISOString();
  }
  if (typeof input !== "string" || input.trim() === "") throw new MnemoError("INVALID_DATE", `${field} must be a non-empty string.`);
  const m = LOCOMO_RE.exec(input);
  if (m) {
    // A month name or an abbreviation of it ("May", "Sept"), not any word sharing 3 letters ("Maybe").
    const word = m[5]!.toLowerCase();
    const month = word.length >= 3 ? MONTHS.findIndex((x) => x.startsWith(word)) : -1;
    const h12 = Number(m[1]);
    const minute = Number(m[2]);
    let hour = h12 % 12;
    if (m[3]!.toLowerCase() === "pm") hour += 12;
    const d = new Date(Date.UTC(Number(m[6]), month, Number(m[4]), hour, minute));
    if (month < 0 || h12 > 12 || minute > 59 || Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[4])) throw new MnemoError("INVALID_DATE", `${field}: "${input}"`);
    return d.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(input.trim())) {
    const s = input.trim();
    // A date-time without an offset is read as UTC, like a bare date (never the host's zone).
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? s + "T00:00:00Z" : /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(" ", "T") : s.replace(" ", "T") + "Z");
    const [y, mo, da] = s.slice(0, 10).split("-").map(Number);
    // Calendar check with setUTCFullYear (Date.UTC maps years 0-99 to 1900-1999).
    const cal = new Date(0);
    cal.setUTCFullYear(y!, mo! - 1, da!);
    if (!Number.isNaN(d.getTime()) && cal.getUTCMonth() === mo! - 1 && cal.getUTCDate() === da) return d.toISOString();
  }
  throw new MnemoError("INVALID_DATE", `${field}: "${input}"`);
}

/**
 * A half-open time interval [from, to) in ISO strings.
 *
 * @example
 * ```ts
 * const may: TimeRange = { from: "2023-05-01T00:00:00.000Z", to: "2023-06-01T00:00:00.000Z" };
 * ```
 */
export interface TimeRange {
  from: string;
  to: string;
}

/**
 * A resolved time expression found in text.
 *
 * @example
 * ```ts
 * const m: TimeMention = { text: "yesterday", index: 12, range: { from: "2023-05-07T00:00:00.000Z", to: "2023-05-08T00:00:00.000Z" }, label: "7 May 2023", granularity: "day" };
 * ```
 */
export interface TimeMention {
  /** The words matched, e.g. "yesterday". */
  text: string;
  index: number;
  range: TimeRange;
  /** Human form of the resolved range, e.g. "7 May 2023", "May 2023", "2022". */
  label: string;
  granularity: "day" | "week" | "month" | "year";
}

const DAY = 86_400_000;

/**
 * Midnight (UTC) of a time's day.
 *
 * @example
 * ```ts
 * utcDay(new Date("2023-05-08T13:56:00Z")).toISOString(); // "2023-05-08T00:00:00.000Z"
 * ```
 */
export function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/**
 * Formats an ISO date as "7 May 2023".
 *
 * @example
 * ```ts
 * formatDay("2023-05-07T10:00:00Z"); // "7 May 2023"
 * ```
 */
export function formatDay(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]!.replace(/^./, (c) => c.toUpperCase())} ${d.getUTCFullYear()}`;
}

function monthLabel(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]!.replace(/^./, (c) => c.toUpperCase())} ${d.getUTCFullYear()}`;
}

/**
 * How a resolved time is written in a context: "2022", "April 2023", "the week of 1 May
 * 2023", "6 May 2023".
 *
 * @example
 * ```ts
 * timeLabel(new Date("2023-04-01T00:00:00Z"), "month"); // "April 2023"
 * ```
 */
export function timeLabel(start: Date, granularity: TimeMention["granularity"]): string {
  return rangeFor(start, granularity).label;
}

/**
 * "last / this / next / past" + year, month, week, weekend or season, resolved against `ref`
 * (no chrono): where the span starts and how precise it is. A season is its year (last
 * summer said in May 2023 is 2022's).
 *
 * @example
 * ```ts
 * relativeSpan("last", "week", new Date("2023-05-08T13:56:00Z")); // { start: 2023-05-01, granularity: "week" }
 * ```
 */
export function relativeSpan(dir: string, unit: string, ref: Date): { start: Date; granularity: TimeMention["granularity"] } {
  const d = dir.toLowerCase();
  const u = unit.toLowerCase();
  const sign = d === "last" || d === "past" ? -1 : d === "next" ? 1 : 0;
  if (u === "year") return { start: new Date(Date.UTC(ref.getUTCFullYear() + sign, 0, 1)), granularity: "year" };
  if (u === "month") return { start: new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth() + sign, 1)), granularity: "month" };
  if (u === "week") {
    const monday = utcDay(new Date(ref.getTime() - ((ref.getUTCDay() + 6) % 7) * DAY));
    return { start: new Date(monday.getTime() + sign * 7 * DAY), granularity: "week" };
  }
  if (u === "weekend") {
    const sat = utcDay(new Date(ref.getTime() - ((ref.getUTCDay() + 1) % 7) * DAY));
    return { start: new Date(sat.getTime() + (sign < 0 ? 0 : 7) * DAY), granularity: "day" };
  }
  return { start: new Date(Date.UTC(ref.getUTCFullYear() + (sign < 0 ? -1 : 0), 0, 1)), granularity: "year" };
}

function rangeFor(start: Date, granularity: TimeMention["granularity"]): { range: TimeRange; label: string } {
  if (granularity === "year") {
    const y = start.getUTCFullYear();
    return { range: { from: new Date(Date.UTC(y, 0, 1)).toISOString(), to: new Date(Date.UTC(y + 1, 0, 1)).toISOString() }, label: String(y) };
  }
  if (granularity === "month") {
    const f = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
    const t = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    return { range: { from: f.toISOString(), to: t.toISOString() }, label: monthLabel(f) };
  }
  const day = utcDay(start);
  if (granularity === "week") {
    return { range: { from: day.toISOString(), to: new Date(day.getTime() + 7 * DAY).toISOString() }, label: `the week of ${formatDay(day)}` };
  }
  return { range: { from: day.toISOString(), to: new Date(day.getTime() + DAY).toISOString() }, label: formatDay(day) };
}

const TIME_HINT = /\d|\b(yesterday|today|tonight|tomorrow|ago|last|next|weekend|noon|midnight|christmas|easter|halloween|thanksgiving)\b/i;
/** Month and weekday names only when capitalised ("May", not the verb "may"; "Sat", not "sat"). */
const CALENDAR_HINT = /\b(Mon|Tues?|Wed(nes)?|Thu(rs)?|Fri|Sat(ur)?|Sun)(day)?\b|\b(Jan(uary)?|Feb(ruary)?|Mar(ch)?|Apr(il)?|May|June?|July?|Aug(ust)?|Sep(t(ember)?)?|Oct(ober)?|Nov(ember)?|Dec(ember)?)\b/;
const NUMBER_WORDS: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, few: 3, couple: 2, "a couple of": 2, "a few": 3 };
const WEEKENDS_AGO_RE = /\b(a|one|two|three|four|five|six|few|\d{1,2})\s+weekends?\s+ago\b/gi;
const YEAR_RE = /\b(?:in|during|since|of|from)\s+((?:19|20)\d{2})\b/gi;
const REL_RE = /\b(last|this|next|past)\s+(year|month|week|weekend|summer|winter|spring|fall|autumn)\b/gi;

/**
 * Finds time expressions and resolves them against `reference` (the time the text was
 * said): "yesterday" said on 8 May 2023 → 7 May 2023; "last year" → 2022; "last week" →
 * the week of 1 May 2023; "in May 2023" → May 2023.
 *
 * @example
 * ```ts
 * resolveTimes("I went yesterday", "2023-05-08T13:56:00Z")[0]?.label; // "7 May 2023"
 * ```
 */
export function resolveTimes(text: string, reference: string | Date): TimeMention[] {
  const key = `${typeof reference === "string" ? reference : reference.toISOString()}\u0000${text}`;
  const hit = resolved.get(key);
  if (hit) return hit;
  const out = resolveUncached(text, reference);
  if (resolved.size >= 4096) resolved.clear();
  resolved.set(key, out);
  return out;
}

/** Recent results of {@link resolveTimes} (extraction asks twice for an answer's sentences). */
const resolved = new Map<string, TimeMention[]>();

function resolveUncached(text: string, reference: string | Date): TimeMention[] {
  const ref = typeof reference === "string" ? new Date(reference) : reference;
  const out: TimeMention[] = [];
  const taken: Array<[number, number]> = [];
  const overlaps = (a: number, b: number) => taken.some(([x, y]) => a < y && b > x);
  const push = (m: Omit<TimeMention, "range" | "label">, start: Date) => {
    if (overlaps(m.index, m.index + m.text.length)) return;
    taken.push([m.index, m.index + m.text.length]);
    out.push({ ...m, ...rangeFor(start, m.granularity) });
  };
  for (const m of text.matchAll(REL_RE)) {
    const { start, granularity } = relativeSpan(m[1]!, m[2]!, ref);
    push({ text: m[0], index: m.index, granularity }, start);
  }
  for (const m of text.matchAll(WEEKENDS_AGO_RE)) {
    const n = NUMBER_WORDS[m[1]!.toLowerCase()] ?? Number(m[1]);
    if (!Number.isFinite(n) || n <= 0 || n > 52) continue;
    const sat = utcDay(new Date(ref.getTime() - ((ref.getUTCDay() + 1) % 7) * DAY));
    push({ text: m[0], index: m.index, granularity: "day" }, new Date(sat.getTime() - (n - 1) * 7 * DAY));
  }
  for (const m of text.matchAll(YEAR_RE)) {
    push({ text: m[0], index: m.index, granularity: "year" }, new Date(Date.UTC(Number(m[1]), 0, 1)));
  }
  // chrono is the slow part of ingest: only run it when a time word could be present.
  const chronoResults = TIME_HINT.test(text) || CALENDAR_HINT.test(text) ? chrono().parse(text, { instant: ref, timezone: 0 }) : [];
  for (const r of chronoResults) {
    const s = r.start;
    // Bare weekday names or times alone are too weak to date an event.
    if (!s.isCertain("day") && !s.isCertain("month") && !s.isCertain("weekday") && !/ago|(last|this|next|past) weekend|yesterday|tomorrow|today|tonight/i.test(r.text)) continue;
    if (/^\s*(the\s+)?weekend\s*$/i.test(r.text) || /^\s*(right\s+)?now\s*$/i.test(r.text)) continue;
    // "for 3 years now", "3 months" are durations, not dates.
    if (/\b(years?|months?|weeks?|days?)\b/i.test(r.text) && !/\b(ago|later|from now|before|after|last|next|this|past)\b/i.test(r.text) && !/\bin\s+\d/i.test(r.text)) continue;
    if (/\bfor\s+$/i.test(text.slice(Math.max(0, r.index - 4), r.index))) continue;
    if (/^\d{1,2}(:\d{2})?\s*(am|pm)?$/i.test(r.text.trim())) continue;
    const g: TimeMention["granularity"] = s.isCertain("day") || s.isCertain("weekday") || /ago|yesterday|tomorrow|today|tonight/i.test(r.text) ? "day" : s.isCertain("month") ? "month" : "year";
    push({ text: r.text, index: r.index, granularity: g }, s.date());
  }
  return out.sort((a, b) => a.index - b.index);
}
