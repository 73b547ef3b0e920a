import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { MnemoError } from "../src/core/errors.js";
import { formatDay, parseDate, resolveTimes } from "../src/core/time.js";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const daysIn = (y: number, m: number) => {
  const d = new Date(0);
  d.setUTCFullYear(y, m, 0); // day 0 of the next month = last day of month m (1-based)
  return d.getUTCDate();
};

function code(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof MnemoError ? e.code : "NOT_A_MNEMO_ERROR";
  }
}

const dateArb = fc.date({ min: new Date("0000-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true });

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe("parseDate", () => {
  it("round-trips ISO 8601 instants (years 0000-9999)", () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        const iso = d.toISOString();
        expect(parseDate(iso)).toBe(iso);
        expect(parseDate(d)).toBe(iso);
        expect(parseDate(iso.replace("T", " "))).toBe(iso);
        // A bare date is UTC midnight of that day.
        expect(parseDate(iso.slice(0, 10))).toBe(`${iso.slice(0, 10)}T00:00:00.000Z`);
      }),
      { numRuns: 2000 },
    );
  });

  it("applies explicit offsets", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1000-01-02T00:00:00Z"), max: new Date("9000-01-01T00:00:00Z"), noInvalidDate: true }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (d, offsetMin) => {
        const instant = new Date(Math.floor(d.getTime() / 1000) * 1000);
        const local = new Date(instant.getTime() + offsetMin * 60_000).toISOString().slice(0, 19);
        const sign = offsetMin < 0 ? "-" : "+";
        const abs = Math.abs(offsetMin);
        const off = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
        expect(parseDate(local + off)).toBe(instant.toISOString());
        expect(parseDate(local + off.replace(":", ""))).toBe(instant.toISOString());
      }),
      { numRuns: 1000 },
    );
  });

  it("reads a date-time without offset as UTC whatever the host time zone", () => {
    fc.assert(
      fc.property(dateArb, fc.constantFrom("UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Europe/Paris"), (d, tz) => {
        process.env.TZ = tz;
        const iso = d.toISOString();
        expect(parseDate(iso.slice(0, 19))).toBe(`${iso.slice(0, 19)}.000Z`);
        expect(parseDate(iso.slice(0, 10))).toBe(`${iso.slice(0, 10)}T00:00:00.000Z`);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects impossible calendar dates with INVALID_DATE", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, extra) => {
        const last = daysIn(y, m);
        const day = last + 1 + ((extra - 1) % Math.max(1, 31 - last + 1));
        if (day <= 31) expect(code(() => parseDate(`${pad(y, 4)}-${pad(m)}-${pad(day)}`))).toBe("INVALID_DATE");
        expect(code(() => parseDate(`${pad(y, 4)}-${pad(m)}-00`))).toBe("INVALID_DATE");
        expect(code(() => parseDate(`${pad(y, 4)}-${pad(m)}-${pad(last)}`))).toBeNull();
        expect(code(() => parseDate(`${pad(y, 4)}-${pad(m)}-${pad(last)}T10:00:00Z`))).toBeNull();
      }),
      { numRuns: 2000 },
    );
    for (const m of [0, 13, 20, 99]) expect(code(() => parseDate(`2023-${pad(m)}-01`))).toBe("INVALID_DATE");
    for (const bad of ["2023-02-29", "1900-02-29", "2023-04-31", "2023-02-30T10:00:00Z", "2023-05-08T25:00:00Z", "2023-05-08T10:61:00Z"]) expect(code(() => parseDate(bad)), bad).toBe("INVALID_DATE");
    for (const ok of ["2024-02-29", "2000-02-29", "0000-02-29", "1600-02-29"]) expect(code(() => parseDate(ok)), ok).toBeNull();
  });

  it("rejects anything that is not a date", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const c = code(() => parseDate(s));
        if (c !== null) expect(c).toBe("INVALID_DATE");
        else expect(new Date(parseDate(s)).toISOString()).toBe(parseDate(s));
      }),
      { numRuns: 1000 },
    );
    for (const bad of ["", "  ", "yesterday", "yesterday-ish", "May 8", "8/5/2023", "2023", "2023-5-8", "20230508", "2023-05-08T", "2023-05-08Tnoon"]) expect(code(() => parseDate(bad)), bad).toBe("INVALID_DATE");
    expect(code(() => parseDate(new Date(Number.NaN)))).toBe("INVALID_DATE");
  });

  it("parses LoCoMo-style dates ('1:56 pm on 8 May, 2023') as UTC", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2100-12-31T23:59:00Z"), noInvalidDate: true }), fc.boolean(), fc.boolean(), (d, comma, abbrev) => {
        const h = d.getUTCHours();
        const h12 = h % 12 === 0 ? 12 : h % 12;
        const month = MONTHS[d.getUTCMonth()]!;
        const s = `${h12}:${pad(d.getUTCMinutes())} ${h < 12 ? "am" : "pm"} on ${d.getUTCDate()} ${abbrev ? month.slice(0, 3) : month}${comma ? "," : ""} ${d.getUTCFullYear()}`;
        const want = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, d.getUTCMinutes()));
        want.setUTCFullYear(d.getUTCFullYear());
        expect(parseDate(s)).toBe(want.toISOString());
      }),
      { numRuns: 1000 },
    );
    expect(parseDate("1:56 pm on 8 May, 2023")).toBe("2023-05-08T13:56:00.000Z");
    expect(parseDate("12:00 am on 1 January, 2023")).toBe("2023-01-01T00:00:00.000Z");
    expect(parseDate("12:30 pm on 1 Sept, 2023")).toBe("2023-09-01T12:30:00.000Z");
    for (const bad of ["1:56 pm on 30 February, 2023", "13:56 pm on 8 May, 2023", "1:75 pm on 8 May, 2023", "1:56 pm on 8 Maybe, 2023", "1:56 pm on 8 Ma, 2023", "1:56 xm on 8 May, 2023"]) {
      expect(code(() => parseDate(bad)), bad).toBe("INVALID_DATE");
    }
  });
});

describe("resolveTimes", () => {
  const refArb = fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2040-12-31T23:59:59Z"), noInvalidDate: true });

  it("resolves 'yesterday' to the day before the reference day (UTC)", () => {
    fc.assert(
      fc.property(refArb, (ref) => {
        const [t] = resolveTimes("I went to a support group yesterday.", ref);
        const day = new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate() - 1));
        expect(t?.label).toBe(formatDay(day));
        expect(t?.granularity).toBe("day");
        expect(t?.range).toEqual({ from: day.toISOString(), to: new Date(day.getTime() + 86_400_000).toISOString() });
      }),
      { numRuns: 300 },
    );
  });

  it("resolves 'last year' and 'last month' against the reference", () => {
    fc.assert(
      fc.property(refArb, (ref) => {
        const ly = resolveTimes("I painted that lake sunrise last year.", ref)[0]!;
        expect(ly.label).toBe(String(ref.getUTCFullYear() - 1));
        expect(ly.range.from).toBe(new Date(Date.UTC(ref.getUTCFullYear() - 1, 0, 1)).toISOString());
        const lm = resolveTimes("We moved last month.", ref)[0]!;
        const first = new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth() - 1, 1));
        expect(lm.range.from).toBe(first.toISOString());
        expect(lm.granularity).toBe("month");
      }),
      { numRuns: 300 },
    );
  });

  it("every resolved range is non-empty and labels the day it starts on", () => {
    fc.assert(
      fc.property(refArb, fc.constantFrom("yesterday", "last week", "last year", "this month", "next week", "two days ago", "last Saturday", "in May 2022", "on 3 June 2021", "last weekend"), (ref, phrase) => {
        for (const t of resolveTimes(`I did it ${phrase}.`, ref)) {
          expect(t.range.from < t.range.to).toBe(true);
          if (t.granularity === "day") expect(t.label).toBe(formatDay(t.range.from));
        }
      }),
      { numRuns: 300 },
    );
  });
});
