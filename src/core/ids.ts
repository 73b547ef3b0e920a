import { createHash, randomUUID } from "node:crypto";

/**
 * A new random id with a readable prefix ("mem", "ep", "ent", "seg").
 *
 * @example
 * ```ts
 * newId("mem"); // "mem_3f1c…"
 * ```
 */
export function newId(prefix: string): string {
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
