import { createHash, randomUUID } from "node:crypto";

/**
 * A new random id with a readable prefix ("mem", "ep", "ent", "seg"); given the scope it
 * belongs to, an id bound to that scope ({@link scopedId}), which imports can verify.
 *
 * @example
 * ```ts
 * newId("mem"); // "mem_3f1c…"
 * newId("mem", { tenant: "default", userId: "alice" }); // bound to alice
 * ```
 */
export function newId(prefix: string, scope?: { tenant: string; userId: string }): string {
  if (scope) return scopedId(prefix, scope);
  return `${prefix}_${randomUUID().replace(/-/g, "")}`;
}

/**
 * Hex SHA-256 of the parts joined by NUL.
 *
 * @example
 * ```ts
 * contentHash("alice", "I moved to Boston."); // 64 hex characters
 * ```
 */
export function contentHash(...parts: Array<string | null | undefined>): string {
  return createHash("sha256").update(parts.map((p) => p ?? "").join("\u0000")).digest("hex");
}

/**
 * A deterministic id derived from parts (same parts → same id).
 *
 * @example
 * ```ts
 * stableId("ent", "default", "alice", "caroline"); // "ent_7c34d9fa2309f15a4dd52e3caa119624"
 * ```
 */
export function stableId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${contentHash(...parts).slice(0, 32)}`;
}

const SCOPED_ID_RE = /^([a-z]+)_([0-9a-f]{16})([0-9a-f]{16})$/;

function scopedMac(prefix: string, tenant: string, userId: string, nonce: string): string {
  return contentHash("mnemo-scoped-id", prefix, tenant, userId, nonce).slice(0, 16);
}

/**
 * A new id bound to one scope: 16 random hex digits, then 16 hex digits of a hash of the
 * scope and those digits. Another scope cannot make (or import) an id that verifies as its
 * own and equals this one without a 2^64 preimage search, so ids never collide across scopes
 * and an import can tell its own ids from foreign ones ({@link isScopedId}). The optional
 * `nonce` makes the id deterministic (used to rebind imported ids).
 *
 * @example
 * ```ts
 * const id = scopedId("mem", { tenant: "default", userId: "alice" }); // "mem_<32 hex>"
 * isScopedId(id, "mem", { tenant: "default", userId: "alice" }); // true
 * isScopedId(id, "mem", { tenant: "other", userId: "alice" }); // false
 * ```
 */
export function scopedId(prefix: string, scope: { tenant: string; userId: string }, nonce?: string): string {
  const r = nonce === undefined ? randomUUID().replace(/-/g, "").slice(0, 16) : contentHash("mnemo-rebind", nonce).slice(0, 16);
  return `${prefix}_${r}${scopedMac(prefix, scope.tenant, scope.userId, r)}`;
}

/**
 * True when `id` was made by {@link scopedId} for this prefix and scope.
 *
 * @example
 * ```ts
 * isScopedId("mem_3f1c", "mem", { tenant: "default", userId: "alice" }); // false
 * ```
 */
export function isScopedId(id: string, prefix: string, scope: { tenant: string; userId: string }): boolean {
  const m = SCOPED_ID_RE.exec(id);
  return m !== null && m[1] === prefix && m[3] === scopedMac(prefix, scope.tenant, scope.userId, m[2]!);
}
