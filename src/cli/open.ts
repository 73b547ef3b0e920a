import { Mnemo, defaultDbPath } from "../mnemo.js";
import { createEmbedder } from "../providers/embeddings/index.js";
import { createLLM } from "../providers/llm/index.js";
import type { GlobalOptions } from "./output.js";

/**
 * Opens the Mnemo the global options name (`--db`, `$MNEMO_DB`, or the user data dir; `--embedder`; `--llm` switches extraction to that model).
 *
 * @example
 * ```ts
 * const mnemo = await openMnemo({ db: "mnemo.db", tenant: "default" });
 * await mnemo.close();
 * ```
 */
export async function openMnemo(g: GlobalOptions): Promise<Mnemo> {
  const embedder = g.embedder ? await createEmbedder(g.embedder) : undefined;
  const llm = g.llm ? createLLM(g.llm) : undefined;
  return Mnemo.open({ path: g.db ?? defaultDbPath(), tenant: g.tenant, embedder, llm });
}

/**
 * Opens, runs `fn`, and always closes.
 *
 * @example
 * ```ts
 * const stats = await withMnemo({ db: "mnemo.db", tenant: "default" }, (m) => m.stats({ userId: "alice" }));
 * ```
 */
export async function withMnemo<T>(g: GlobalOptions, fn: (m: Mnemo) => Promise<T>): Promise<T> {
  const m = await openMnemo(g);
  try {
    return await fn(m);
  } finally {
    await m.close();
  }
}
