/**
 * Dates must not depend on the host's time zone, and lenient parses must not invent dates.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, openTempMnemo } from "./support/fixtures.js";

const originalTz = process.env.TZ;
let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
});
afterAll(async () => {
  await cleanup();
});
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe("dates through the API", () => {
  it("a zone-less occurredAt is stored as UTC on any host", async () => {
    for (const [i, tz] of ["America/New_York", "Asia/Tokyo", "UTC"].entries()) {
      process.env.TZ = tz;
      const u = { userId: `tz-${i}` };
      const r = await mnemo.remember([{ id: "1", speaker: "Ann", content: "I planted basil on the balcony.", occurredAt: "2023-05-08T10:00:00" }], u);
      const [e] = await mnemo.store.getEpisodes({ tenant: "default", userId: u.userId }, r.episodes.ids);
      expect(e!.occurredAt, tz).toBe("2023-05-08T10:00:00.000Z");
    }
  });

  it("recall asOf without a zone is UTC on any host", async () => {
    const u = { userId: "asof-tz" };
    await mnemo.remember([{ id: "1", speaker: "Ann", content: "I adopted a turtle named Sheldon.", occurredAt: "2023-05-08T10:00:00Z" }], u);
    // 09:30 local New York would be 13:30Z, after the message: it must stay 09:30Z, before it.
    process.env.TZ = "America/New_York";
    const r = await mnemo.recall("What is the turtle called?", { ...u, reinforce: false, asOf: "2023-05-08T09:30:00" });
    expect(r.results).toEqual([]);
    const later = await mnemo.recall("What is the turtle called?", { ...u, reinforce: false, asOf: "2023-05-08T10:30:00" });
    expect(later.context).toContain("Sheldon");
  });

  it("LoCoMo-style dates with an impossible hour, minute or month word are rejected", async () => {
    for (const bad of ["13:56 pm on 8 May, 2023", "1:60 pm on 8 May, 2023", "1:56 pm on 8 Maybe, 2023", "1:56 pm on 8 Junk, 2023"]) {
      await expectCode(mnemo.remember([{ content: "I went out.", occurredAt: bad }], { userId: "locomo-dates" }), "INVALID_DATE");
    }
    expect(await mnemo.users()).not.toContain("locomo-dates");
  });
});

describe("regression: durations and short questions", () => {
  it("'for 3 years now' is a duration, not a date", async () => {
    const { resolveTimes } = await import("../src/core/time.js");
    expect(resolveTimes("I've had them for 3 years now and they bring me joy!", "2022-01-23T10:00:00Z")).toEqual([]);
    expect(resolveTimes("I got them 3 years ago.", "2022-01-23T10:00:00Z")[0]?.label).toBe("23 January 2019");
  });

  it("an answer to a short question is remembered with the question's topic, citing both turns", async () => {
    const u = { userId: "turtles" };
    await mnemo.remember(
      [
        { id: "D2:11", speaker: "Joanna", content: "Your turtles are so cute! Awww! How long have you had them?", occurredAt: "2022-01-23T10:00:00Z", sessionId: "s2" },
        { id: "D2:12", speaker: "Nate", content: "I've had them for 3 years now and they bring me tons of joy!", occurredAt: "2022-01-23T10:01:00Z", sessionId: "s2" },
      ],
      u,
    );
    const mems = (await mnemo.memories({ ...u, limit: 100 })).items;
    const qa = mems.find((m) => m.text.includes("How long") && m.text.includes("3 years"));
    expect(qa, mems.map((m) => m.text).join("\n")).toBeDefined();
    expect(qa!.text).toContain("turtles");
    expect(qa!.sources).toHaveLength(2);
    expect(mems.every((m) => m.validFrom === null || !m.text.includes("3 years") || m.validFrom.startsWith("2022-01-23"))).toBe(true);
    const r = await mnemo.recall("For how long has Nate had his turtles?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.results.slice(0, 3).flatMap((x) => x.sources)).toContain("D2:12");
  });
});
