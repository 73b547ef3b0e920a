import { ensureEmbedder, scopeCacheKey, type Context } from "../core/context.js";
import { vectorRows } from "../core/embed-text.js";
import { MnemoError } from "../core/errors.js";
import { contentHash, newId, scopedId } from "../core/ids.js";
import { parseDate } from "../core/time.js";
import type { Episode, Memory, MemoryKind, MemoryVersion, ScopeInput } from "../core/types.js";
import { resolveScope } from "../core/validate.js";

/** Kinds a caller may add directly (summaries are built by Mnemo). */
export const ADDABLE_KINDS = ["fact", "preference", "instruction", "event", "profile"] as const satisfies readonly MemoryKind[];

/**
 * A memory stated directly, without a conversation.
 *
 * @example
 * ```ts
 * const input: AddMemoryInput = { kind: "preference", text: "Alice prefers window seats.", importance: 0.8 };
 * ```
 */
export interface AddMemoryInput {
  kind: (typeof ADDABLE_KINDS)[number];
  /** The memory, one self-contained sentence (1-10,000 characters). */
  text: string;
  /**
   * A caller's key: adding again with the same key replaces that memory (the old text stays
   * in history). Without a key, adding the same kind and text twice is a no-op.
   */
  key?: string | undefined;
  /** The entity it is about (a name), if any. */
  subject?: string | null | undefined;
  /** 0..1 (default 0.7). */
  importance?: number | undefined;
  /** When the state began (event time). */
  validFrom?: string | Date | null | undefined;
  /** After this the memory is never recalled. */
  expiresAt?: string | Date | null | undefined;
  /** When it was stated (default now). */
  occurredAt?: string | Date | undefined;
  /** Who stated it (default "user"); stored on the source episode. */
  speaker?: string | undefined;
  /** Free-form metadata kept on the memory. It can never change the scope. */
  metadata?: Record<string, unknown> | undefined;
}

function validate(input: unknown): AddMemoryInput {
  if (!input || typeof input !== "object") throw new MnemoError("INVALID_INPUT", "add needs { kind, text }.");
  const i = input as AddMemoryInput;
  if (!(ADDABLE_KINDS as readonly string[]).includes(i.kind)) throw new MnemoError("INVALID_INPUT", `kind must be one of ${ADDABLE_KINDS.join(", ")}, got ${JSON.stringify(i.kind)}.`);
  if (typeof i.text !== "string" || i.text.trim() === "" || i.text.length > 10_000) throw new MnemoError("INVALID_INPUT", "text must be 1-10,000 characters.");
  if (i.key !== undefined && (typeof i.key !== "string" || i.key.length === 0 || i.key.length > 1000)) throw new MnemoError("INVALID_INPUT", "key must be 1-1,000 characters.");
  if (i.importance !== undefined && (typeof i.importance !== "number" || !(i.importance >= 0 && i.importance <= 1))) throw new MnemoError("INVALID_INPUT", "importance must be between 0 and 1.");
  if (i.metadata !== undefined && (typeof i.metadata !== "object" || i.metadata === null || Array.isArray(i.metadata))) throw new MnemoError("INVALID_INPUT", "metadata must be an object.");
  return i;
}

/**
 * The id `add` gives a memory with this key in this scope (stable, so callers can look it up).
 *
 * @example
 * ```ts
 * const id = addedMemoryId({ tenant: "default", userId: "alice" }, "seat-preference");
 * ```
 */
export function addedMemoryId(scope: { tenant: string; userId: string; agentId?: string | undefined }, key: string): string {
  // Deterministic and bound to the scope (an import verifies it as the scope's own; another
  // tenant cannot claim it): see scopedId.
  return scopedId("mem", scope, `add\u0000${scope.agentId ?? ""}\u0000${key}`);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Adds a fact, preference or instruction directly (no conversation, no extraction). The
 * text is also kept as a source episode, so the memory has provenance like any other.
 * Idempotent: the same key (or, without a key, the same kind and text) updates or keeps
 * one memory; a forgotten one comes back.
 *
 * @example
 * ```ts
 * const m = await addMemory(ctx, { kind: "instruction", text: "Always answer in French." }, { userId: "alice" });
 * ```
 */
export async function addMemory(ctx: Context, inputRaw: unknown, scopeInput: ScopeInput): Promise<{ memory: Memory; created: boolean; changed: boolean }> {
  const scope = resolveScope(scopeInput, ctx.options.tenant);
  const input = validate(inputRaw);
  const now = ctx.options.now().toISOString();
  const occurredAt = input.occurredAt !== undefined ? parseDate(input.occurredAt, "occurredAt") : now;
  const validFrom = input.validFrom === undefined || input.validFrom === null ? null : parseDate(input.validFrom, "validFrom");
  const expiresAt = input.expiresAt === undefined || input.expiresAt === null ? null : parseDate(input.expiresAt, "expiresAt");
  const key = { tenant: scope.tenant, userId: scope.userId };
  const id = addedMemoryId(scope, input.key ?? `${input.kind}\u0000${input.text}`);
  const existing = await ctx.store.getMemory(scope.tenant, id);
  if (existing && existing.userId !== scope.userId) throw new MnemoError("CONFLICT", "That key belongs to another user.");
  const metadata = { ...(existing?.metadata ?? {}), ...(input.metadata ?? {}), added: true, ...(input.key !== undefined ? { key: input.key } : {}) };
  if (existing && !existing.forgottenAt && !existing.invalidatedAt && existing.text === input.text && existing.kind === input.kind && same(existing.metadata, metadata) && (input.importance === undefined || input.importance === existing.importance)) {
    return { memory: existing, created: false, changed: false };
  }
  await ensureEmbedder(ctx);
  const speaker = input.speaker ?? "user";
  const episode: Episode = {
    id: newId("ep", scope),
    externalId: null,
    tenant: scope.tenant,
    userId: scope.userId,
    agentId: scope.agentId ?? null,
    sessionId: scope.sessionId ?? null,
    speaker,
    role: "user",
    text: input.text,
    attachmentText: null,
    occurredAt,
    recordedAt: now,
    contentHash: contentHash(scope.sessionId ?? null, speaker, input.text, "", occurredAt, "add", id),
    segmentId: null,
    seq: (await ctx.store.maxSeq(key)) + 1,
    metadata: { addedAs: input.kind, memoryId: id },
  };
  const memory: Memory = existing
    ? {
        ...existing,
        kind: input.kind,
        text: input.text,
        subject: input.subject !== undefined ? input.subject : existing.subject,
        importance: input.importance ?? existing.importance,
        validFrom: input.validFrom !== undefined ? validFrom : existing.validFrom,
        validTo: null,
        invalidatedAt: null,
        forgottenAt: null,
        expiresAt: input.expiresAt !== undefined ? expiresAt : existing.expiresAt,
        observedAt: occurredAt,
        sources: [...existing.sources, episode.id],
        version: existing.version + 1,
        metadata,
      }
    : {
        id,
        tenant: scope.tenant,
        userId: scope.userId,
        agentId: scope.agentId ?? null,
        kind: input.kind,
        text: input.text,
        subject: input.subject ?? null,
        slot: null,
        validFrom,
        validTo: null,
        observedAt: occurredAt,
        recordedAt: now,
        invalidatedAt: null,
        confidence: 1,
        importance: input.importance ?? 0.7,
        strength: 1,
        lastAccessedAt: occurredAt,
        accessCount: 0,
        sources: [episode.id],
        entityIds: [],
        segmentIds: [],
        version: 1,
        forgottenAt: null,
        expiresAt,
        metadata,
      };
  const history: MemoryVersion = { memoryId: id, version: memory.version, op: existing ? "patch" : "add", text: memory.text, validFrom: memory.validFrom, validTo: null, sources: memory.sources, at: now, reason: "added directly" };
  await ctx.store.commit({ scope: key, episodes: [episode], memories: [memory], history: [history], vectors: await vectorRows(ctx.embedder, [episode], [memory]) });
  ctx.caches.delete(scopeCacheKey(scope.tenant, scope.userId));
  ctx.caches.delete("memidx\u0000" + scopeCacheKey(scope.tenant, scope.userId));
  return { memory, created: !existing, changed: true };
}
