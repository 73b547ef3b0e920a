import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { opensSentence } from "../src/ingest/extract/offline.js";

describe("opensSentence", () => {
  it("agrees with the pattern (^|[.!?]\\s+)<span>\\b on any span and text", () => {
    const byPattern = (span: string, text: string) => new RegExp(`(^|[.!?]\\s+)${span}\\b`).test(text);
    const span = fc
      .tuple(fc.constantFrom("K", "A", "É", "Z"), fc.string({ unit: fc.constantFrom("a", "b", "é", ".", "-", "'", "’", "ß", "\ud835\udc00"), maxLength: 4 }), fc.constantFrom("s", "a", "é", "ß", "\ud835\udc00", "Z"))
      .map(([a, b, c]) => a + b + c);
    const unit = fc.constantFrom("K", "A", "É", "a", "s", "é", ".", "!", "?", " ", "\n", "\u00a0", "\u2028", "\ufeff", "\t", ",", "-", "'", "’", "_", "1", "Z", "ǅ", "\ud835\udc00");
    fc.assert(
      fc.property(span, fc.array(fc.oneof(unit, span), { maxLength: 12 }), (s, parts) => {
        const text = parts.join("");
        expect(opensSentence(s, text)).toBe(byPattern(s, text));
        const withSpan = parts.map((p, i) => (i % 3 === 0 ? s : p)).join("");
        expect(opensSentence(s, withSpan)).toBe(byPattern(s, withSpan));
      }),
      { numRuns: 3000 },
    );
    for (const [s, t] of [["Kids", "Kids love it."], ["Kids", "Wow. Kids love it."], ["Kids", "Wow.Kids"], ["Kids", "Kidsy"], ["Kids", "Kids_"], ["Zoë", "Zoë came."], ["Zoë", "Zoëx"], ["St.Louis", "StxLouis is far."], ["Boston", "I moved to Boston."]] as const) {
      expect(opensSentence(s, t), `${s} in ${t}`).toBe(byPattern(s, t));
    }
  });
});
