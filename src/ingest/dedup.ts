import type { Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import type { MessageInput } from "../core/types.js";
import type { ScopeKey } from "../store/types.js";

/**
 * A message of a batch, ready for the duplicate check.
 *
 * @example
 * ```ts
 * const p: Prepared = { m: { content: "yes" }, sessionId: null, hash: contentHash(null, "user", "yes", "", null) };
 * ```
 */
export interface Prepared {
  m: MessageInput;
  sessionId: string | null;
  hash: string;
}

/**
 * The duplicate rule of `remember`:
 * - a message with an `id` is a duplicate of the stored message with that id (re-sending it
 *   stores nothing); the same id with other content is CONFLICT, never silently dropped;
 * - a message without an id is a duplicate only of identical content (speaker, text,
 *   attachment, session, and time when given) stored earlier without an id; when it has no
 *   time, only of one remembered less than `dedupWindowSeconds` ago (a retry). Each stored
 *   message absorbs one resent message, so a retried batch that says "yes" twice stays two
 *   messages, and two "yes" in one batch are both kept.
 *
 * @example
 * ```ts
 * const dedup = await duplicates(ctx, key, prepared, new Date());
 * const dupId = dedup.match(prepared[0]); // an episode id, or null
 * ```
 */
export async function duplicates(ctx: Context, key: ScopeKey, prepared: Prepared[], now: Date): Promise<{ match(p: Prepared): string | null; add(p: Prepared, episodeId: string): void }> {
  const windowMs = ctx.options.dedupWindowSeconds * 1000;
  const withId = prepared.filter((p) => p.m.id !== undefined);
  const withoutId = prepared.filter((p) => p.m.id === undefined && (p.m.occurredAt !== undefined || windowMs > 0));
  const found = await ctx.store.findEpisodes(key, { externalIds: withId.map((p) => p.m.id!), hashes: withoutId.map((p) => p.hash) });
  // Stored messages by id, with their content (to refuse an id re-sent with other content).
  const byId = new Map<string, { id: string; content: string | null }>();
  const idMatches = found.filter((e) => e.externalId !== null && withId.some((p) => p.m.id === e.externalId));
  const full = new Map((await ctx.store.getEpisodes(key, idMatches.map((e) => e.id))).map((e) => [e.id, e]));
  for (const e of idMatches) {
    const ep = full.get(e.id);
    byId.set(e.externalId!, { id: e.id, content: ep ? `${ep.text}\u0000${ep.attachmentText ?? ""}` : null });
  }
  // Id-less stored messages, by session and hash; untimed ones only inside the window.
  const hashMatches = found.filter((e) => e.externalId === null);
  const recent = new Map((await ctx.store.getEpisodes(key, hashMatches.map((e) => e.id))).map((e) => [e.id, e]));
  const pool = new Map<string, string[]>();
  for (const e of hashMatches) {
    const ep = recent.get(e.id);
    if (!ep) continue;
    const timed = withoutId.some((p) => p.hash === e.contentHash && p.m.occurredAt !== undefined);
    if (!timed && now.getTime() - Date.parse(ep.recordedAt) > windowMs) continue;
    const k = `${e.sessionId ?? ""}\u0000${e.contentHash}`;
    pool.set(k, [...(pool.get(k) ?? []), e.id]);
  }
  return {
    match(p) {
      const content = `${p.m.content}\u0000${p.m.attachmentText ?? ""}`;
      if (p.m.id !== undefined) {
        const had = byId.get(p.m.id);
        if (!had) return null;
        if (had.content !== null && had.content !== content) {
          throw new MnemoError("CONFLICT", `The message id ${JSON.stringify(p.m.id)} was already stored with other content.`, {
            hint: "Message ids name one message: send an edited message under a new id (or delete the old one first).",
          });
        }
        return had.id;
      }
      const list = pool.get(`${p.sessionId ?? ""}\u0000${p.hash}`);
      return list?.shift() ?? null;
    },
    add(p, episodeId) {
      if (p.m.id !== undefined) byId.set(p.m.id, { id: episodeId, content: `${p.m.content}\u0000${p.m.attachmentText ?? ""}` });
    },
  };
}
