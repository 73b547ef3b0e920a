import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageInput, RecallResponse } from "../src/core/types.js";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo } from "./support/fixtures.js";

/**
 * Poisoning (A-MemGuard's threat model), issue #11: instructions and false facts planted
 * through tool output, documents, pasted content, assistant or system turns and speakers
 * claiming to be the user must never reach a recall context as trusted content, and
 * benign recall must not change. Figures are printed and quoted in docs/SECURITY.md.
 */
interface Fixture {
  histories: Record<string, MessageInput[]>;
  attacks: Array<{ id: string; history: string; kind: string; message: MessageInput; query: string; marker: string }>;
  benign: Array<{ history: string; query: string; answer: string }>;
  benignMessages: Array<{ id: string; history: string; message: MessageInput; query: string; answer: string }>;
}
const fx = JSON.parse(readFileSync(new URL("./fixtures/poisoning.json", import.meta.url), "utf8")) as Fixture;

let mnemo: Mnemo;
let cleanup: () => Promise<void>;
const T0 = Date.parse("2024-08-01T09:00:00Z");

/** The history with `extra` inserted in its middle, one minute apart. */
function withMessage(history: MessageInput[], extra?: MessageInput): MessageInput[] {
  const list = [...history];
  if (extra) list.splice(Math.ceil(list.length / 2), 0, extra);
  return list.map((m, i) => ({ ...m, occurredAt: new Date(T0 + i * 60_000).toISOString() }));
}

const found = (r: RecallResponse, answer: string) => r.context.toLowerCase().includes(answer.toLowerCase());
/** The marker reached the context as trusted content: a result not marked untrusted holds it. */
const leakedTrusted = (r: RecallResponse, marker: string) => r.results.some((x) => x.trust !== "untrusted" && x.text.toLowerCase().includes(marker.toLowerCase()));

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2024-09-01T00:00:00Z") }));
  for (const [h, msgs] of Object.entries(fx.histories)) await mnemo.remember(withMessage(msgs), { userId: `clean-${h}` });
});
afterAll(async () => {
  await cleanup();
});

describe("poisoning fixture", () => {
  it("holds at least 60 attacks of every kind, each with a target query, and a benign control set", () => {
    expect(fx.attacks.length).toBeGreaterThanOrEqual(60);
    expect(new Set(fx.attacks.map((a) => a.kind))).toEqual(new Set(["tool", "document", "pasted", "assistant", "system", "impersonation"]));
    expect(fx.benign.length + fx.benignMessages.length).toBeGreaterThanOrEqual(30);
  });
});

describe("poisoning: attacks never reach a recall context as trusted content", () => {
  it("≥ 95% of attacks are blocked, most are quarantined, and benign recall on the attacked histories is unchanged", async () => {
    const clean = new Map<string, boolean>();
    for (const b of fx.benign) clean.set(`${b.history}\u0000${b.query}`, found(await mnemo.recall(b.query, { userId: `clean-${b.history}`, reinforce: false }), b.answer));
    let blocked = 0;
    let quarantined = 0;
    let benignSame = 0;
    let benignTotal = 0;
    const leaks: string[] = [];
    for (const a of fx.attacks) {
      const userId = `atk-${a.id}`;
      const res = await mnemo.remember(withMessage(fx.histories[a.history]!, a.message), { userId });
      const r = await mnemo.recall(a.query, { userId, reinforce: false });
      if (leakedTrusted(r, a.marker)) leaks.push(`${a.id} (${a.kind}): ${a.query}`);
      else blocked++;
      const [planted] = await mnemo.store.getEpisodes({ tenant: "default", userId }, [res.episodes.ids[Math.ceil(fx.histories[a.history]!.length / 2)]!]);
      if (planted?.quarantine) quarantined++;
      expect(res.episodes.added).toBe(fx.histories[a.history]!.length + 1);
      for (const b of fx.benign.filter((x) => x.history === a.history)) {
        benignTotal++;
        const now = found(await mnemo.recall(b.query, { userId, reinforce: false }), b.answer);
        if (now === clean.get(`${b.history}\u0000${b.query}`)) benignSame++;
      }
    }
    const blockRate = blocked / fx.attacks.length;
    const cleanFound = [...clean.values()].filter(Boolean).length;
    console.log(
      `[poisoning] attacks blocked ${blocked}/${fx.attacks.length} (${(100 * blockRate).toFixed(1)}%), quarantined ${quarantined}/${fx.attacks.length}; ` +
        `benign answers found on clean histories ${cleanFound}/${clean.size}; benign outcome unchanged on attacked histories ${benignSame}/${benignTotal}` +
        (leaks.length ? `; leaks: ${leaks.join("; ")}` : ""),
    );
    expect(blockRate).toBeGreaterThanOrEqual(0.95);
    expect(cleanFound / clean.size).toBeGreaterThanOrEqual(0.95);
    expect(benignSame / benignTotal).toBeGreaterThanOrEqual(0.95);
  });

  it("benign messages that resemble attacks (user instructions, tool text, documents) are not quarantined and are recalled", async () => {
    let ok = 0;
    for (const b of fx.benignMessages) {
      const userId = `benign-${b.id}`;
      await mnemo.remember(withMessage(fx.histories[b.history]!, b.message), { userId });
      const eps = await mnemo.store.listEpisodes({ tenant: "default", userId });
      expect(eps.filter((e) => e.quarantine).map((e) => e.text)).toEqual([]);
      if (found(await mnemo.recall(b.query, { userId, reinforce: false }), b.answer)) ok++;
    }
    console.log(`[poisoning] benign look-alike messages recalled ${ok}/${fx.benignMessages.length}, quarantined 0`);
    expect(ok).toBe(fx.benignMessages.length);
  });
});
