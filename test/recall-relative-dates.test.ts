/**
 * Relative dates in context lines are resolved without chrono-node (src/recall/relative-dates.ts),
 * with chrono's semantics: every form is compared with what `dateNotes` (chrono) resolves, on
 * 120 days spread over two years (a leap day and year ends included).
 */
import { describe, expect, it } from "vitest";
import { sentences } from "../src/core/text.js";
import { formatDay } from "../src/core/time.js";
import { dateNotes } from "../src/ingest/extract/dates.js";
import { RELATIVE, relativeDates } from "../src/recall/relative-dates.js";

/** The chrono-based resolution context lines used before (stop 19's first version). */
function viaChrono(text: string, at: string): string[] {
  const out: string[] = [];
  for (const s of sentences(text)) {
    if (!RELATIVE.test(s)) continue;
    for (const d of dateNotes(s, at)) {
      const words = s.slice(d.index, d.end);
      if (!d.note || !RELATIVE.test(words)) continue;
      const ago = d.from ? /\b(years?|months?)\s+ago\b/i.exec(words)?.[1] : undefined;
      if (ago) out.push(/^y/i.test(ago) ? d.from!.slice(0, 4) : formatDay(d.from!).replace(/^\d+ /, ""));
      else out.push(d.note.replace(/^\[(= )?/, "").replace(/\]$/, ""));
    }
  }
  return [...new Set(out)];
}

const SAID = [
  "I did it last Saturday.", "I did it last Friday.", "We go next Friday.", "We go this Friday.", "Last Monday was fun.", "Last Sunday I ran.",
  "We meet next Tuesday.", "This Wednesday is the deadline.", "I did it yesterday.", "We go tomorrow.",
  "I did it two weeks ago.", "I did it 3 days ago.", "I did it a few days ago.", "I did it a year ago.", "I met him 3 years ago.",
  "It happened 2 months ago.", "It happened a couple of weeks ago.", "I started five years ago.", "We fly in two weeks.", "We move in 3 months.",
  "I finish in a year.", "I'll be back in a few days.", "I did it last week.", "I did it past week.", "We go next week.", "I did it this week.",
  "I did it last weekend.", "We go next weekend.", "This weekend we go hiking.", "I did it last month.", "We go next month.", "I did it last year.",
  "We go next year.", "Last summer was fun.", "Next spring we plant.", "I painted that lake sunrise last year! It's special to me.",
];

describe("relative dates in context lines (no chrono on the recall path)", () => {
  it("resolves every form as chrono does, on 120 days over two years", () => {
    const start = Date.UTC(2023, 0, 1, 14, 30);
    const mismatches: string[] = [];
    for (let i = 0; i < 120; i++) {
      const at = new Date(start + i * 6.1 * 86_400_000).toISOString();
      for (const s of SAID) {
        const got = relativeDates(s, at);
        const want = viaChrono(s, at);
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${at.slice(0, 10)} "${s}": ${JSON.stringify(got)} vs chrono ${JSON.stringify(want)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("'last night' is the day before whatever the hour it is said (chrono gives the same day in the afternoon)", () => {
    for (const at of ["2023-05-08T01:00:00.000Z", "2023-05-08T13:56:00.000Z", "2023-05-08T23:30:00.000Z"]) expect(relativeDates("I went there last night.", at)).toEqual(["7 May 2023"]);
  });

  it("names no date for what names none or is the day itself", () => {
    const at = "2023-05-08T13:56:00.000Z";
    for (const s of ["The meeting is on March 25.", "Today was fun, this is great.", "This morning I ran.", "I have been here for 3 years.", "We talked about the past."]) expect(relativeDates(s, at)).toEqual([]);
    expect(relativeDates("I painted that lake sunrise last year!", "not a date")).toEqual([]);
  });
});
