import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerCoverage } from "../src/bench/coverage.js";
import { termList } from "../src/core/text.js";
import type { Mnemo } from "../src/mnemo.js";
import type { Episode, Memory } from "../src/core/types.js";
import { addedDates, answerBearingLine, hasOwnContent, quoteFor, turnDates, turnLine } from "../src/recall/lines.js";
import { ruleText } from "../src/recall/pinned.js";
import { openTempMnemo } from "./support/fixtures.js";

describe("context lines carry the content that made them relevant (#8 §4)", () => {
  it("quoteFor picks the turn's sentence that answers the query when the memory lacks it", () => {
    const turn = "I made some goodies recently to thank my neighbors. It was a nice way to bring some joy around here.";
    const q = new Set(termList("What did Audrey make to thank her neighbors?"));
    expect(quoteFor("Audrey: It was a nice way to bring some joy around here.", turn, q)).toEqual(["I made some goodies recently to thank my neighbors."]);
    // the memory already says it: nothing to add
    expect(quoteFor("Audrey made some goodies recently to thank Audrey's neighbors.", turn, q)).toEqual([]);
  });

  it("regression: a fragment that shares one query term still quotes the sentence with the term it lacks", () => {
    // "Last weekend I had an experience…" matched "weekend"; the answer ("volunteer at a career fair") was left unquoted
    const turn =
      "What a photo! Last weekend I had an experience that reminded me of the impact we can make. I got to volunteer at a career fair at a local school, and it was incredible to see how lack of resources affects these kids' dreams.";
    const q = new Set(termList("What event did John volunteer at last weekend?"));
    const quote = quoteFor("John: Last weekend I had an experience that reminded me of the impact we can make.", turn, q);
    expect(quote.join(" ")).toContain("volunteer at a career fair");
  });

  it("turnDates resolves the dates a turn says relative to its day, and only those", () => {
    const at = "2023-05-08T13:56:00.000Z";
    expect(turnDates("I painted that lake sunrise last year! It's special to me.", at)).toEqual(["2022"]);
    expect(turnDates("I ran a charity race last Saturday.", at)).toEqual(["6 May 2023"]);
    expect(turnDates("I took my kids to the museum yesterday.", at)).toEqual(["7 May 2023"]);
    // named dates, "today" (the day header says it) and no date at all: nothing to add
    expect(turnDates("The meeting is on March 25.", at)).toEqual([]);
    expect(turnDates("Today was fun, this is great.", at)).toEqual([]);
    expect(turnDates("I painted that lake sunrise last year!", "not a date")).toEqual([]);
  });

  it("regression: a turn shown whole carries the date its relative words mean ('last year' said on 8 May 2023 → 2022; LoCoMo 'When did Melanie paint a sunrise?')", async () => {
    const { mnemo, cleanup } = await openTempMnemo();
    try {
      await mnemo.remember(
        [
          { speaker: "Caroline", content: "The colors in that lake painting blend so nicely.", occurredAt: "2023-05-08T13:56:00.000Z", sessionId: "s1" },
          { speaker: "Melanie", content: "I painted that lake sunrise last year! It's special to me.", occurredAt: "2023-05-08T13:57:00.000Z", sessionId: "s1" },
        ],
        { userId: "sunrise" },
      );
      const r = await mnemo.recall("When did Melanie paint a sunrise?", { userId: "sunrise", budgetTokens: 300 });
      expect(r.context).toMatch(/I painted that lake sunrise last year[^\n]*2022/);
    } finally {
      await cleanup();
    }
  });

  it("addedDates keeps the dates a memory resolved that its turn does not say", () => {
    expect(addedDates("Melanie ran a charity race on 20 May 2023.", "I ran a charity race last Saturday.")).toEqual(["20 May 2023"]);
    expect(addedDates("This book Melanie read in 2022 reminds her.", "This book I read last year reminds me.")).toEqual(["in 2022"]);
    expect(addedDates("On 8 May 2023 Caroline said hi.", "On 8 May 2023 I said hi.")).toEqual([]);
  });

  it("a short turn is shown whole in place of its memory, with the memory's resolved date", () => {
    const m = { text: "Melanie ran a charity race for mental health on 20 May 2023." } as Memory;
    const e = { speaker: "Melanie", text: "I ran a charity race for mental health last Saturday – it was really rewarding.", attachmentText: null } as Episode;
    expect(turnLine(m, e)).toBe('- Melanie: "I ran a charity race for mental health last Saturday – it was rewarding." [20 May 2023]');
    expect(answerBearingLine(m, e, new Set(termList("When did Melanie run a charity race?")))).toBe(turnLine(m, e));
    // a long turn: the memory plus the answering sentence only
    const long = { speaker: "Audrey", text: `${"We talked about many other things that day. ".repeat(8)}I made some goodies recently to thank my neighbors. It was a nice way to bring some joy around here.`, attachmentText: null } as Episode;
    const line = answerBearingLine({ text: "Audrey: It was a nice way to bring some joy around here." } as Memory, long, new Set(termList("What did Audrey make to thank her neighbors?")));
    expect(line).toBe('- Audrey: It was a nice way to bring some joy around here. (Audrey: "I made some goodies recently to thank my neighbors.")');
  });

  it("hasOwnContent: a name alone is no content", () => {
    expect(hasOwnContent("Wow!", ["Andrew"])).toBe(false);
    expect(hasOwnContent("Andrew, haha, yes!", ["Andrew"])).toBe(false);
    expect(hasOwnContent("I adopted a dog.", ["Andrew"])).toBe(true);
  });

  describe("through recall on a real SQLite store", () => {
    let mnemo: Mnemo;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ mnemo, cleanup } = await openTempMnemo());
      await mnemo.remember(
        [
          { id: "D1:1", speaker: "Audrey", content: "I made some goodies recently to thank my neighbors. It was a nice way to bring some joy around here.", occurredAt: "2023-05-08T13:00:00Z" },
          { id: "D1:2", speaker: "Andrew", content: "Wow!", occurredAt: "2023-05-08T13:01:00Z" },
          { id: "D1:3", speaker: "Andrew", content: "That's so sweet of you, Audrey. My dog Toby loves the park near our place.", occurredAt: "2023-05-08T13:02:00Z" },
          { id: "D1:4", speaker: "Audrey", content: "Haha, yes!", occurredAt: "2023-05-08T13:03:00Z" },
          { id: "D1:5", speaker: "Audrey", content: "I ran a charity race for mental health last Saturday, it was really rewarding.", occurredAt: "2023-05-08T13:04:00Z" },
        ],
        { userId: "conv-lines" },
      );
    });
    afterAll(async () => cleanup());

    it("regression: the answer to 'What did Audrey make to thank her neighbors?' is in the context (cited-but-missing bug)", async () => {
      const r = await mnemo.recall("What did Audrey make to thank her neighbors?", { userId: "conv-lines", budgetTokens: 200, reinforce: false });
      expect(answerCoverage("goodies", r.context)).toBe(1);
    });


    it("no context line without content words of its own", async () => {
      for (const q of ["What did Andrew say?", "What did Audrey say to Andrew?", "Wow", "Audrey Andrew"]) {
        const r = await mnemo.recall(q, { userId: "conv-lines", budgetTokens: 300, reinforce: false });
        for (const line of r.context.split("\n").filter((l) => l.startsWith("- "))) {
          expect(hasOwnContent(line.slice(2), ["Audrey", "Andrew"]), line).toBe(true);
        }
      }
    });
  });
});

describe("standing instructions and preferences are pinned (#8 §4)", () => {
  let mnemo: Mnemo;
  let cleanup: () => Promise<void>;
  const topics = ["the database schema", "the login form", "unit tests", "the deployment script", "caching", "the charts", "error pages", "the CSV export"];
  beforeAll(async () => {
    ({ mnemo, cleanup } = await openTempMnemo());
    const msgs = [
      { role: "user", content: "Always include version numbers when you recommend a library." },
      { role: "assistant", content: "Understood, I will include version numbers." },
      { role: "user", content: "I prefer minimal dependencies to keep the app lightweight." },
      { role: "assistant", content: "Noted." },
      ...topics.flatMap((t, i) => [
        { role: "user", content: `Let's work on ${t} for the budget tracker next, step ${i + 1}.` },
        { role: "assistant", content: `Sure, here is a plan for ${t}: first sketch it, then implement it, then review it.` },
      ]),
    ];
    await mnemo.remember(
      msgs.map((m, i) => ({ ...m, id: `m${i}`, occurredAt: new Date(Date.UTC(2024, 2, 1, 9, i)).toISOString() })),
      { userId: "chat" },
    );
  });
  afterAll(async () => cleanup());

  it("heads the context of an unrelated question, within the cap", async () => {
    const r = await mnemo.recall("How should I structure the charts page?", { userId: "chat", budgetTokens: 300, reinforce: false });
    const lines = r.context.split("\n");
    expect(lines[0]).toBe("[standing instructions and preferences]");
    expect(r.context).toMatch(/Always include version numbers/);
    expect(r.context).toMatch(/minimal dependencies/);
    expect(r.contextTokens).toBeLessThanOrEqual(300);
    expect(r.results[0]!.channels["pinned"]).toBe(1);
  });

  it("is off with pinned: false, and capped by maxTokens", async () => {
    const off = await mnemo.recall("How should I structure the charts page?", { userId: "chat", budgetTokens: 300, reinforce: false, pinned: false });
    expect(off.context).not.toMatch(/standing instructions/);
    const small = await mnemo.recall("How should I structure the charts page?", { userId: "chat", budgetTokens: 300, reinforce: false, pinned: { maxTokens: 25 } });
    const lines = small.context.split("\n");
    const end = lines.findIndex((l, i) => i > 0 && l.startsWith("["));
    expect(lines[0]).toBe("[standing instructions and preferences]");
    expect(lines.slice(1, end).length).toBe(1); // one pinned line fits in 25 tokens
  });

  it("regression (BEAM chat 2): a rule said as a memory and found in its turn is one pinned line; a 'make sure' wish is not a rule", async () => {
    await mnemo.remember(
      [
        { role: "user", content: "Always include error status codes in responses when I ask about API error handling.", id: "r1", occurredAt: "2024-03-01T09:00:00Z" },
        { role: "user", content: "I want to make sure I'm doing it correctly so I don't run into issues when I need to upgrade.", id: "r2", occurredAt: "2024-03-01T09:01:00Z" },
        { role: "user", content: "My weather app calls the OpenWeather API from the browser.", id: "r3", occurredAt: "2024-03-01T09:02:00Z" },
      ],
      { userId: "rules" },
    );
    const r = await mnemo.recall("How do I handle API errors in my weather app?", { userId: "rules", budgetTokens: 1000, reinforce: false });
    const lines = r.context.split("\n");
    const end = lines.findIndex((l, i) => i > 0 && l.startsWith("["));
    const pinned = lines.slice(1, end);
    expect(lines[0]).toBe("[standing instructions and preferences]");
    expect(pinned.filter((l) => /error status codes/.test(l))).toEqual(["- Always include error status codes in responses when I ask about API error handling."]);
    expect(pinned.some((l) => /make sure/.test(l))).toBe(false);
    expect(ruleText({ text: "rules: Always include version numbers.", subject: "rules" })).toBe("Always include version numbers.");
    expect(ruleText({ text: "rules: I want to make sure it works.", subject: "rules" })).toBeNull();
  });

  it("rejects a bad pinned option with INVALID_INPUT", async () => {
    await expect(mnemo.recall("x y", { userId: "chat", pinned: { maxTokens: -1 } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("named-speaker conversations have no pinned block", async () => {
    await mnemo.remember([{ speaker: "Caroline", content: "I always prefer tea over coffee, please remember.", id: "c1" }, { speaker: "Melanie", content: "I painted a lake sunrise.", id: "c2" }], { userId: "named" });
    const r = await mnemo.recall("What did Melanie paint?", { userId: "named", budgetTokens: 200, reinforce: false });
    expect(r.context).not.toMatch(/standing instructions/);
  });
});

describe("current state first, superseded facts only with their validity (#8 §4)", () => {
  let mnemo: Mnemo;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
    const u = { userId: "maya" };
    await mnemo.remember([{ id: "c1", speaker: "Caroline", content: "I'm living in Boston. I work as a nurse at the hospital.", occurredAt: "2023-01-01T10:00:00Z" }], u);
    await mnemo.remember([{ id: "c2", speaker: "Caroline", content: "I moved to Denver.", occurredAt: "2023-06-01T10:00:00Z" }], u);
    await mnemo.remember(
      [
        { id: "m1", speaker: "Maya", content: "I work at Blue Bottle Bakery as a pastry chef.", occurredAt: "2023-02-01T10:00:00Z" },
        ...[1, 2, 3, 4, 5, 6].map((i) => ({ id: `m${i + 1}`, speaker: "Maya", content: `I had a good day at work today, number ${i}.`, occurredAt: `2023-03-0${i}T10:00:00Z` })),
      ],
      u,
    );
  });
  afterAll(async () => cleanup());

  it("a 'now' question ranks the current state fact first (Maya's employer over six 'good day at work' turns)", async () => {
    for (const q of ["Where does Maya work now?", "Where does Maya work?"]) {
      const r = await mnemo.recall(q, { userId: "maya", budgetTokens: 300, reinforce: false });
      expect(r.results[0]!.text, q).toMatch(/Blue Bottle Bakery/);
    }
  });

  it("a turn that also said a superseded fact is not shown whole: no stale 'Boston' without its validity", async () => {
    const r = await mnemo.recall("What does Caroline do for work?", { userId: "maya", budgetTokens: 300, reinforce: false });
    expect(r.context).toMatch(/nurse/);
    for (const line of r.context.split("\n").filter((l) => /Boston/.test(l))) expect(line).toMatch(/until 1 June 2023/);
  });

  it("a question about the past brings the superseded fact back with its validity", async () => {
    const r = await mnemo.recall("Where did Caroline live before?", { userId: "maya", budgetTokens: 300, reinforce: false });
    const boston = r.context.split("\n").filter((l) => /Boston/.test(l));
    expect(boston.length).toBeGreaterThan(0);
    for (const line of boston) expect(line).toMatch(/until 1 June 2023/);
    const now = await mnemo.recall("Where does Caroline live now?", { userId: "maya", budgetTokens: 300, reinforce: false });
    expect(now.context).toMatch(/Denver/);
    for (const line of now.context.split("\n").filter((l) => /Boston/.test(l))) expect(line).toMatch(/until 1 June 2023/);
  });

  it("asOf before the change shows the old fact without a validity from its future", async () => {
    const r = await mnemo.recall("Where does Caroline live?", { userId: "maya", budgetTokens: 300, reinforce: false, asOf: "2023-03-01T00:00:00Z" });
    expect(r.context).toMatch(/Boston/);
    expect(r.context).not.toMatch(/until/);
  });
});
