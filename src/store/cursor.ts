import { MnemoError } from "../core/errors.js";

/**
 * The row id a page cursor stands for (base 36, as the stores hand it out), or
 * `Number.MAX_SAFE_INTEGER` for the first page; `INVALID_INPUT` for anything else.
 *
 * @example
 * ```ts
 * cursorRid(undefined); // Number.MAX_SAFE_INTEGER
 * cursorRid("2s"); // 100
 * cursorRid("!!"); // throws MnemoError INVALID_INPUT
 * ```
 */
export function cursorRid(cursor: string | undefined): number {
  if (cursor === undefined) return Number.MAX_SAFE_INTEGER;
  const rid = Number.parseInt(cursor, 36);
  if (!Number.isFinite(rid) || !/^[0-9a-z]+$/.test(cursor)) throw new MnemoError("INVALID_INPUT", "The cursor is not valid.");
  return rid;
}
