import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { STOP_WORDS, sentences, stem, terms, words, IRREGULAR } from "../src/core/text.js";

const STOPS = [...STOP_WORDS];
const CONTENT = ["painting", "paints", "painted", "Caroline", "Melanie's", "support", "groups", "adoption", "agencies", "camping", "sunrise", "pottery", "running", "happily", "kindness", "bus", "analysis", "classes"];
/** Inflected forms of stop words: they are not stop words themselves. */
const INFLECTED = ["likes", "liked", "owned", "owning", "others", "wells", "gets", "things"];
const wordArb = fc.oneof(fc.constantFrom(...STOPS.filter((w) => !w.endsWith("'s"))), fc.constantFrom(...CONTENT), fc.stringMatching(/^[a-z]{1,12}$/));
const textArb = fc.array(fc.tuple(wordArb, fc.constantFrom(" ", ", ", ". ", "! ", " - ", "\n")), { maxLength: 20 }).map((xs) => xs.map(([w, sep]) => w + sep).join(""));

describe("terms", () => {
  it("drops every stop word of the text and keeps the stems of the other words, in order", () => {
    fc.assert(
      fc.property(textArb, (t) => {
        const expected = words(t)
          .filter((w) => !STOP_WORDS.has(w) && w.length > 1)
          .map(stem)
          .filter((s) => !STOP_WORDS.has(s));
        expect(terms(t)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("returns lowercase terms of at least two characters without spaces", () => {
    fc.assert(
      fc.property(fc.oneof(textArb, fc.string(), fc.string({ unit: "grapheme" })), (t) => {
        for (const x of terms(t)) {
          expect(x.length).toBeGreaterThanOrEqual(2);
          expect(x).toBe(x.toLowerCase());
          expect(x).not.toMatch(/\s/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("is case-insensitive and splits at whitespace (ASCII text)", () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        expect(terms(a.toUpperCase())).toEqual(terms(a));
        expect(terms(`${a} ${b}`)).toEqual([...terms(a), ...terms(b)]);
      }),
      { numRuns: 500 },
    );
  });

  it("maps irregular forms to their base word ('won' → 'win', 'bought' → 'buy', 'fave' → 'favorite')", () => {
    expect(terms("won")).toEqual(terms("win"));
    expect(terms("bought")).toEqual(terms("buy"));
    expect(terms("fave")).toEqual(terms("favorite"));
    for (const [form, base] of IRREGULAR) expect(stem(form)).toBe(stem(base));
  });

  it("matches morphological variants ('painting', 'paints', 'painted' → 'paint')", () => {
    expect(new Set(terms("painting paints painted paint"))).toEqual(new Set(["paint"]));
    expect(terms("Melanie's")).toEqual(terms("Melanie"));
  });

  it("regression: terms() returned stop words produced by stemming ('likes' → 'like', 'owned' → 'own') or by dropping \"'s\" (\"let's\" → 'let')", () => {
    expect(terms(STOPS.join(" "))).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.oneof(wordArb, fc.constantFrom(...INFLECTED)), { maxLength: 12 }), (ws) => {
        for (const x of terms(ws.join(" "))) expect(STOP_WORDS.has(x), `"${x}" is a stop word`).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

/** The definition words() implements (its former body): the scanner must agree with it. */
function wordsByRegex(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)) {
    let w = m[0].replace(/’/g, "'").replace(/-+$/, "");
    if (w.endsWith("'s")) w = w.slice(0, -2);
    if (w.length > 0) out.push(w);
  }
  return out;
}

describe("words", () => {
  it("are the runs of /[\\p{L}\\p{N}][\\p{L}\\p{N}'’-]*/u of the lower-cased text, without trailing hyphens and \"'s\" (any text)", () => {
    const units = fc.constantFrom("a", "B", "s", "-", "'", "’", " ", ".", "1", "é", "İ", "ß", "²", "٣", "\ud835\udc00", "\ud800", "\udc00", "😀");
    fc.assert(
      fc.property(fc.oneof(textArb, fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.string({ unit: units })), (t) => {
        expect(words(t)).toEqual(wordsByRegex(t));
      }),
      { numRuns: 5000 },
    );
    for (const t of ["dog's-", "x--", "’tis rock’n’roll", "İstanbul ΣΑΣ", "a\ud835\udc00b \ud800x", "½ ² ٣ ⅷ", "caf\u0301e ﬁne"]) expect(words(t)).toEqual(wordsByRegex(t));
  });

  it("return a fresh array each call (callers may change it)", () => {
    const a = words("I moved to Boston");
    a.push("x");
    expect(words("I moved to Boston")).toEqual(["i", "moved", "to", "boston"]);
  });
});

describe("stem and sentences", () => {
  it("stem never lengthens a word and leaves words of ≤ 3 letters alone (irregular forms aside)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,15}$/), (w) => {
        fc.pre(!IRREGULAR.has(w));
        const s = stem(w);
        expect(s.length).toBeLessThanOrEqual(w.length);
        expect(s.length).toBeGreaterThanOrEqual(Math.min(w.length, 2));
        if (w.length <= 3) expect(s).toBe(w);
        expect(w.startsWith(s.slice(0, Math.min(s.length, 2)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("sentences keep every word of the text, in order", () => {
    fc.assert(
      fc.property(textArb, (t) => {
        expect(words(sentences(t).join(" "))).toEqual(words(t));
      }),
      { numRuns: 500 },
    );
  });
});
