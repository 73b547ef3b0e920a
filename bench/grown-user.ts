/**
 * One user grown from LoCoMo dev text, for the scale benches (bench/scale.ts,
 * bench/recall-profile.ts): the conversations repeated endlessly, each copy with renamed
 * people and dates shifted by 400 days, as a stream of sessions.
 *
 * @example
 * ```ts
 * for (const messages of grownSessions("../shared/data/locomo/locomo-dev.json")) await mnemo.remember(messages, { userId: "grown" });
 * ```
 */
import { readLocomo } from "../src/importers/locomo.js";
import type { MessageInput } from "../src/core/types.js";

/** Names given to the speakers of each copy after the first. */
export const NAMES = ["Avery", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Gray", "Harper", "Indigo", "Jules", "Kai", "Logan", "Morgan", "Noor", "Oakley", "Parker", "Quinn", "Riley", "Sage", "Tatum", "Umi", "Vesper", "Wren", "Xiomara", "Yael", "Zion"];
const DAY = 86_400_000;

/** The LoCoMo conversations of `data` as one endless stream of sessions (renamed, shifted copies). */
export function* grownSessions(data: string): Generator<MessageInput[]> {
  const convs = readLocomo(data);
  for (let copy = 0; ; copy++) {
    for (const [ci, conv] of convs.entries()) {
      const rename = new Map<string, string>();
      conv.speakers.forEach((s, i) => rename.set(s, copy === 0 ? s : `${NAMES[(copy * 2 + i + ci) % NAMES.length]}${copy}`));
      const re = new RegExp(`\\b(${[...rename.keys()].join("|")})\\b`, "g");
      const swap = (t: string) => (copy === 0 ? t : t.replace(re, (n) => rename.get(n) ?? n));
      for (const s of conv.sessions) {
        yield s.messages.map((m) => ({
          ...m,
          id: `c${copy}:${conv.sampleId}:${m.id}`,
          sessionId: `c${copy}:${conv.sampleId}:${s.sessionId}`,
          speaker: swap(m.speaker ?? "user"),
          content: swap(m.content),
          occurredAt: new Date(Date.parse(String(m.occurredAt)) + copy * 400 * DAY).toISOString(),
        }));
      }
    }
  }
}
