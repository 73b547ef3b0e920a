import { Mnemo, defaultDbPath } from "../mnemo.js";
import type { GlobalOptions } from "./output.js";

/** Opens the Mnemo the global options name (`--db`, `$MNEMO_DB`, or the user data dir). */
export function openMnemo(g: GlobalOptions): Promise<Mnemo> {
  return Mnemo.open({ path: g.db ?? defaultDbPath(), tenant: g.tenant });
}

/** Opens, runs `fn`, and always closes. */
export async function withMnemo<T>(g: GlobalOptions, fn: (m: Mnemo) => Promise<T>): Promise<T> {
  const m = await openMnemo(g);
  try {
    return await fn(m);
  } finally {
    await m.close();
  }
}
