import { existsSync } from "node:fs";
import { openStore } from "../store/open.js";
import { isPostgresUrl } from "../store/postgres/driver.js";
import { EMBEDDER_SPEC_META_KEY } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import { Mnemo, defaultDbPath } from "../mnemo.js";
import { createEmbedder } from "../providers/embeddings/index.js";
import { createLLM } from "../providers/llm/index.js";
import type { Store } from "../store/types.js";
import { cliIo } from "./io.js";
import type { GlobalOptions } from "./output.js";

/** Store meta keys where the settings a store was used with are kept (the embedder spec is also read by `Mnemo.open`). */
export const SETTINGS_META = { embedder: EMBEDDER_SPEC_META_KEY, llm: "settings.llm" } as const;

/**
 * How a command opens the store: `read` commands fail with NOT_FOUND when the database file
 * does not exist (instead of creating an empty one).
 *
 * @example
 * ```ts
 * await withMnemo(g, (m) => m.stats(), { mode: "read" });
 * ```
 */
export interface OpenMode {
  mode?: "read" | "write" | undefined;
  /** A read-mode command that still extracts (e.g. `mnemo extract`): create the model. */
  model?: boolean | undefined;
}

/**
 * The embedder and LLM specs a command uses: the flags (or $MNEMO_EMBEDDER / $MNEMO_LLM) when
 * given, else the ones stored with the database by an earlier command. Flags given to a
 * write command that succeeds are stored, so later commands need not repeat them
 * (`--llm offline` switches back to the rules).
 *
 * @example
 * ```ts
 * const s = await settingsFor(store, { tenant: "default", embedder: "hashing:512" }); // { embedder: "hashing:512", llm: undefined }
 * ```
 */
export async function settingsFor(store: Store, g: GlobalOptions): Promise<{ embedder: string | undefined; llm: string | undefined }> {
  const storedEmbedder = (await store.getMeta(SETTINGS_META.embedder)) ?? undefined;
  const storedLlm = (await store.getMeta(SETTINGS_META.llm)) ?? undefined;
  const embedder = g.embedder ?? storedEmbedder;
  const llm = g.llm ?? storedLlm;
  return { embedder, llm: llm === "offline" ? undefined : llm };
}

async function remember(store: Store, g: GlobalOptions): Promise<void> {
  if (g.embedder !== undefined && g.embedder !== (await store.getMeta(SETTINGS_META.embedder))) await store.setMeta(SETTINGS_META.embedder, g.embedder);
  if (g.llm !== undefined && g.llm !== (await store.getMeta(SETTINGS_META.llm))) await store.setMeta(SETTINGS_META.llm, g.llm);
}

/**
 * Opens the Mnemo the global options name (`--db`, `$MNEMO_DB`, or the user data dir), with the
 * embedder and extraction model of the flags or, when absent, the ones the store remembers.
 *
 * @example
 * ```ts
 * const mnemo = await openMnemo({ db: "mnemo.db", tenant: "default" });
 * await mnemo.close();
 * ```
 */
export async function openMnemo(g: GlobalOptions, open: OpenMode = {}): Promise<Mnemo> {
  const path = g.db ?? defaultDbPath();
  if (open.mode === "read" && path !== ":memory:" && !isPostgresUrl(path) && !existsSync(path)) {
    throw new MnemoError("NOT_FOUND", `No database at ${path}.`, { hint: "Check --db (or $MNEMO_DB); create a store with `mnemo remember`, `mnemo add` or `mnemo import`." });
  }
  // A file path or a postgres:// URL (docs/SCALING.md).
  const store = await openStore(path);
  try {
    const s = await settingsFor(store, g);
    const embedder = s.embedder ? await createEmbedder(s.embedder) : undefined;
    // Reads never extract: they do not need (or fail on) the model's configuration.
    const llm = s.llm && (open.mode !== "read" || open.model === true) ? createLLM(s.llm) : undefined;
    return await Mnemo.open({ store, tenant: g.tenant, embedder, llm });
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * Opens, runs `fn`, and always closes.
 *
 * @example
 * ```ts
 * const stats = await withMnemo({ db: "mnemo.db", tenant: "default" }, (m) => m.stats({ userId: "alice" }), { mode: "read" });
 * ```
 */
export async function withMnemo<T>(g: GlobalOptions, fn: (m: Mnemo) => Promise<T>, open: OpenMode = {}): Promise<T> {
  const m = await openMnemo(g, open);
  try {
    const out = await fn(m);
    // A write that worked with these flags: remember them for the next commands.
    if (open.mode !== "read") await remember(m.store, g);
    return out;
  } finally {
    await m.close();
  }
}

/**
 * Writes a note for the user on stderr (never on stdout, which may carry JSON).
 *
 * @example
 * ```ts
 * note("re-embedding with word-vectors");
 * ```
 */
export function note(text: string): void {
  cliIo().stderr.write(`note: ${text}\n`);
}
