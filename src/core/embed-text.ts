import type { Embedder } from "../providers/embeddings/types.js";
import type { VectorRow } from "../store/types.js";
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

/**
 * Embeds episodes and memories in one call and returns their vector rows, the rows every
 * write path (remember, import, re-embed) stores.
 *
 * @example
 * ```ts
 * const vectors = await vectorRows(embedder, episodes, memories);
 * await store.commit({ scope, episodes, memories, vectors });
 * ```
 */
export async function vectorRows(embedder: Embedder, episodes: Episode[], memories: Memory[]): Promise<VectorRow[]> {
  const items = [
    ...episodes.map((e) => ({ targetType: "episode" as const, targetId: e.id, text: episodeText(e) })),
    ...memories.map((m) => ({ targetType: "memory" as const, targetId: m.id, text: memoryText(m) })),
  ];
  if (items.length === 0) return [];
  const vecs = await embedder.embed(items.map((x) => x.text));
  return items.map((x, i) => ({ targetType: x.targetType, targetId: x.targetId, vector: vecs[i]! }));
}
