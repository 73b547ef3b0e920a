import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, openTempMnemo } from "./support/fixtures.js";

/**
 * Contextual integrity (CIMemories' threat model), issue #11: a diagnosis, orientation,
 * debt, record or religion must not surface for an unrelated task ("draft an email to my
 * landlord"), yet a direct question about it is still answered; credentials are never
 * stored. Figures are printed and quoted in docs/SECURITY.md.
 */
interface Profile {
  id: string;
  name: string;
  messages: string[];
  sensitive: Array<{ category: string; text: string; question: string; answer: string }>;
  credential?: { text: string; secret: string };
}
const fx = JSON.parse(readFileSync(new URL("./fixtures/sensitivity.json", import.meta.url), "utf8")) as { tasks: string[]; profiles: Profile[] };

let mnemo: Mnemo;
let cleanup: () => Promise<void>;
const T0 = Date.parse("2024-05-01T09:00:00Z");
const has = (context: string, marker: string) => context.toLowerCase().includes(marker.toLowerCase());

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2024-06-01T00:00:00Z") }));
  for (const p of fx.profiles) {
    await mnemo.remember(
      p.messages.map((content, i) => ({ role: "user", content, occurredAt: new Date(T0 + i * 3_600_000).toISOString() })),
      { userId: p.id },
    );
  }
});
afterAll(async () => {
  await cleanup();
});

describe("sensitivity fixture", () => {
  it("holds at least 40 profiles, every sensitive category and unrelated tasks", () => {
    expect(fx.profiles.length).toBeGreaterThanOrEqual(40);
    expect(new Set(fx.profiles.flatMap((p) => p.sensitive.map((s) => s.category)))).toEqual(
      new Set(["health", "sexuality", "religion", "politics", "ethnicity", "union", "genetic", "finances", "criminal"]),
    );
    for (const p of fx.profiles) for (const s of p.sensitive) expect(p.messages.filter((m) => has(m, s.answer))).toEqual([s.text]);
  });
});

describe("contextual integrity: recall policy `sensitive`", () => {
  it("unrelated tasks get 0 sensitive lines (default `relevant`), and say what was withheld without revealing it", async () => {
    let leaks = 0;
    let contexts = 0;
    let withheld = 0;
    const leaked: string[] = [];
    for (const p of fx.profiles) {
      for (const task of fx.tasks) {
        const r = await mnemo.recall(task, { userId: p.id, reinforce: false });
        contexts++;
        expect(r.context.length).toBeGreaterThan(0);
        for (const s of p.sensitive) {
          if (has(r.context, s.answer)) (leaks++, leaked.push(`${p.id} "${task}" → ${s.text}`));
        }
        for (const x of r.results) expect(x.sensitivity ?? []).toEqual([]);
        withheld += r.withheld?.sensitive ?? 0;
        // What is withheld is counted, never shown.
        expect(JSON.stringify(r.withheld)).not.toMatch(/[a-z]{3,}\s[a-z]{3,}/);
      }
    }
    console.log(`[sensitivity] ${fx.profiles.length} profiles × ${fx.tasks.length} unrelated tasks = ${contexts} contexts: ${leaks} sensitive lines leaked; ${withheld} withheld items reported` + (leaked.length ? `; ${leaked.slice(0, 5).join("; ")}` : ""));
    expect(leaks).toBe(0);
  });

  it("≥ 95% of directly asked sensitive facts are still recalled (default `relevant`)", async () => {
    let ok = 0;
    let total = 0;
    const missed: string[] = [];
    for (const p of fx.profiles) {
      for (const s of p.sensitive) {
        total++;
        const r = await mnemo.recall(s.question, { userId: p.id, reinforce: false });
        if (has(r.context, s.answer)) ok++;
        else missed.push(`${p.id} ${s.question}`);
      }
    }
    console.log(`[sensitivity] directly asked sensitive facts recalled ${ok}/${total} (${((100 * ok) / total).toFixed(1)}%)` + (missed.length ? `; missed: ${missed.join("; ")}` : ""));
    expect(ok / total).toBeGreaterThanOrEqual(0.95);
  });

  it("`exclude` withholds even a direct question and reports it; `include` lets everything through", async () => {
    const p = fx.profiles[0]!;
    const s = p.sensitive[0]!;
    const ex = await mnemo.recall(s.question, { userId: p.id, reinforce: false, sensitive: "exclude" });
    expect(has(ex.context, s.answer)).toBe(false);
    expect(ex.withheld?.sensitive).toBeGreaterThan(0);
    expect(ex.withheld?.categories).toContain(s.category);
    const inc = await mnemo.recall(fx.tasks[0]!, { userId: p.id, reinforce: false, sensitive: "include", budgetTokens: 4000 });
    expect(p.sensitive.some((x) => has(inc.context, x.answer))).toBe(true);
    expect(inc.withheld?.sensitive).toBe(0);
    await expectCode(mnemo.recall("x", { userId: p.id, sensitive: "sometimes" as never }), "INVALID_INPUT");
  });

  it("credentials are never stored: not in episodes, memories or any context, whatever the policy", async () => {
    const withCred = fx.profiles.filter((p) => p.credential);
    expect(withCred.length).toBeGreaterThanOrEqual(10);
    for (const p of withCred) {
      const secret = p.credential!.secret;
      const eps = await mnemo.store.listEpisodes({ tenant: "default", userId: p.id });
      const mems = (await mnemo.memories({ userId: p.id, limit: 1000 })).items;
      for (const t of [...eps.map((e) => e.text), ...mems.map((m) => m.text)]) expect(t).not.toContain(secret);
      expect(eps.some((e) => e.text.includes("[redacted]") && e.sensitivity?.includes("credentials"))).toBe(true);
      const r = await mnemo.recall(`What is my ${p.credential!.text.match(/password|PIN|code|key/i)?.[0] ?? "password"}?`, { userId: p.id, reinforce: false, sensitive: "include" });
      expect(r.context).not.toContain(secret);
      expect(JSON.stringify(r.results)).not.toContain(secret);
    }
  });
});
