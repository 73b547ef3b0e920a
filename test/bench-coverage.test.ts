import { describe, expect, it } from "vitest";
import { answerCoverage, contextTermSet, coverageTerms, missingAnswerTerms } from "../src/bench/coverage.js";
import { citedEvidenceRecall, evidenceRecall } from "../src/bench/evidence.js";
import { isLocomoSweep, runLocomoBench } from "../src/bench/locomo.js";
import { parseLocomo } from "../src/importers/locomo.js";

describe("answer coverage terms", () => {
  it("stems both sides the same way (painting/painted/paints → paint, stories → story, won → win)", () => {
    expect(coverageTerms("painting stories")).toEqual(["paint", "story"]);
    expect(answerCoverage("She paints", "Melanie painted a lake sunrise.")).toBe(1);
    expect(answerCoverage("stories", "a story about home")).toBe(1);
    expect(answerCoverage("won a trophy", "Caroline wins trophies every year")).toBe(1);
  });

  it("removes stop words and punctuation, lower-cases", () => {
    expect(coverageTerms("The Eiffel Tower, in PARIS!")).toEqual(["eiffel", "tower", "paris"]);
    expect(coverageTerms("\"Becoming Nicole\" (a book)")).toEqual(["becom", "nicol", "book"]);
    expect(answerCoverage("Paris!", "we went to paris.")).toBe(1);
    expect(coverageTerms("Caroline’s")).toEqual(coverageTerms("Caroline"));
  });

  it("keeps numbers (also one digit), the month May, and maps number words to digits", () => {
    expect(coverageTerms("7 May 2023")).toEqual(["7", "may", "2023"]);
    expect(coverageTerms("three kids")).toEqual(["3", "kid"]);
    expect(answerCoverage("3 kids", "She has three kids.")).toBe(1);
    expect(answerCoverage("7 May 2023", "[8 May 2023] Caroline: I went yesterday")).toBeCloseTo(2 / 3, 12);
  });

  it("splits hyphenated words on both sides", () => {
    expect(coverageTerms("self-care")).toEqual(["self", "care"]);
    expect(answerCoverage("self care", "Melanie values self-care.")).toBe(1);
  });

  it("counts distinct terms, and is null for an answer without content words", () => {
    expect(answerCoverage("violin violin clarinet", "the violin")).toBe(0.5);
    expect(answerCoverage("No", "anything at all")).toBeNull();
    expect(answerCoverage("", "x")).toBeNull();
    expect(answerCoverage("Luna", "")).toBe(0);
    expect(missingAnswerTerms("clarinet and violin", contextTermSet("Melanie plays the violin"))).toEqual(["clarinet"]);
  });
});

describe("cited evidence recall vs answer coverage", () => {
  it("credits a cited turn whose answering part the memory dropped; coverage is 0", () => {
    const gold = ["D3:4"];
    const memory = { text: "Audrey: It was a nice way to bring some joy around here.", sources: ["D3:4"] };
    expect(citedEvidenceRecall(gold, [memory.sources])).toBe(1);
    expect(evidenceRecall).toBe(citedEvidenceRecall);
    expect(answerCoverage("Goodies", memory.text)).toBe(0);
  });

  it("the bench reports both per system; a baseline that returns the answering turn covers it", async () => {
    const sample = {
      sample_id: "conv-cov",
      conversation: {
        speaker_a: "Audrey",
        speaker_b: "Andrew",
        session_1_date_time: "1:56 pm on 8 May, 2023",
        session_1: [
          { speaker: "Audrey", dia_id: "D1:1", text: "I made some goodies recently to thank my neighbors." },
          { speaker: "Andrew", dia_id: "D1:2", text: "That is kind of you! Did they like them?" },
          { speaker: "Audrey", dia_id: "D1:3", text: "They loved the cookies, it was a nice way to bring some joy around here." },
        ],
      },
      qa: [{ question: "What did Audrey make to thank her neighbors?", answer: "Goodies", evidence: ["D1:1"], category: 4 }],
    };
    const r = await runLocomoBench({ data: parseLocomo(JSON.stringify([sample])), budgets: [200], systems: ["bm25-turns", "full-context"] });
    if (isLocomoSweep(r)) throw new Error("single budget");
    for (const s of ["bm25-turns", "full-context"]) {
      const o = r.systems[s]!.overall;
      expect(o.answerCoverage).toBe(1);
      expect(o.coverageQuestions).toBe(1);
      expect(o.citedEvidenceRecall).toBe(1);
      expect(o.recall).toBe(o.citedEvidenceRecall);
      expect(r.systems[s]!.byCategory["single-hop"].answerCoverage).toBe(1);
    }
  });
});
