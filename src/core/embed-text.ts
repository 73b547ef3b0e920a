import type { Episode, Memory } from "./types.js";

/**
 * The text of an episode that is embedded and indexed: what was said plus any attachment
 * text. The speaker is left out (it is indexed separately with a lower weight), so a name
 * in the query does not make every turn of that person look relevant.
 *
 * @example
 * ```ts
 * episodeText({ text: "Look!", attachmentText: "a photo of a dog" } as Episode); // "Look! a photo of a dog"
 * ```
 */
export function episodeText(e: Pick<Episode, "text" | "attachmentText">): string {
  return e.attachmentText ? `${e.text} ${e.attachmentText}` : e.text;
}

/**
 * The text of a memory that is embedded.
 *
 * @example
 * ```ts
 * memoryText({ text: "Caroline moved to Boston." }); // "Caroline moved to Boston."
 * ```
 */
export function memoryText(m: Pick<Memory, "text">): string {
  return m.text;
}
