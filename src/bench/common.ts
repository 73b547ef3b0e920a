import type { Embedder } from "../providers/embeddings/types.js";
/**
 * Small helpers shared by the benchmark runners: averages, percentiles, a temporary
 * SQLite-backed Mnemo and its size on disk.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { parsePostgresUrl } from "../store/postgres/driver.js";
import { join } from "node:path";
import { Mnemo } from "../mnemo.js";
import type { MnemoOptions } from "../core/options.js";

/**
 * Arithmetic mean; 0 for an empty list.
 *
 * @example
 * ```ts
 * mean([1, 2, 3]); // 2
 * ```
 */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Nearest-rank percentile (`p` in [0, 1]) of a list; 0 for an empty list.
 *
 * @example
 * ```ts
 * percentile([5, 1, 3, 2, 4], 0.5); // 3
 * percentile([5, 1, 3, 2, 4], 0.95); // 5
 * ```
 */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * Rounds to `digits` decimals (for JSON output that diffs well).
 *
 * @example
 * ```ts
 * round(0.123456, 3); // 0.123
 * ```
 */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Size on disk of a SQLite database: the main file plus its `-wal` file (0 for missing files).
 *
 * @example
 * ```ts
 * const bytes = sqliteBytes("/tmp/x/mnemo.db");
 * ```
 */
export function sqliteBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) if (existsSync(p)) total += statSync(p).size;
  return total;
}

/**
 * A Mnemo on a fresh SQLite file in a new temporary directory (offline defaults, or `options`).
 * `dispose()` closes it and deletes the directory.
 *
 * @example
 * ```ts
 * const t = await openTempMnemo();
 * await t.mnemo.remember([{ content: "hi" }], { userId: "u" });
 * console.log(sqliteBytes(t.path));
 * await t.dispose();
 * ```
 */
export async function openTempMnemo(
  prefix = "mnemo-bench-",
  embedder?: Embedder,
  options: Omit<MnemoOptions, "path" | "store" | "embedder"> = {},
  pgUrl?: string,
): Promise<{ mnemo: Mnemo; path: string; dispose: () => Promise<void> }> {
  if (pgUrl) return openTempPgMnemo(pgUrl, embedder, options);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, "mnemo.db");
  const mnemo = await Mnemo.open({ ...options, path, embedder });
  return {
    mnemo,
    path,
    dispose: async () => {
      try {
        await mnemo.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Loads what a process loads once before its first ingest (the NLP libraries, the word
 * vectors, the tokenizer) by remembering and recalling one message in a throwaway store,
 * so an ingest rate measures throughput, not start-up. Returns the seconds it took, which
 * benches report beside the rate ("ingest warm-up").
 *
 * @example
 * ```ts
 * const warmUpSeconds = await warmUpMnemo();
 * ```
 */
export async function warmUpMnemo(embedder?: Embedder, options: Omit<MnemoOptions, "path" | "store" | "embedder"> = {}): Promise<number> {
  const t0 = performance.now();
  const t = await openTempMnemo("mnemo-warm-", embedder, options);
  try {
    await t.mnemo.remember([{ speaker: "Ann", content: "I went to Paris with my sister Lena last Friday.", occurredAt: "2024-05-06T10:00:00Z" }], { userId: "warm-up" });
    await t.mnemo.recall("Where did Ann go?", { userId: "warm-up", reinforce: false });
  } finally {
    await t.dispose();
  }
  return (performance.now() - t0) / 1000;
}

/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight; results keep the input order.
 *
 * @example
 * ```ts
 * const doubled = await mapPool([1, 2, 3], 2, async (x) => x * 2); // [2, 4, 6]
 * ```
 */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return out;
}

/**
 * {@link openTempMnemo} on PostgreSQL: a fresh schema (`bench_<random>`) of the database at
 * `url`, dropped by `dispose()`.
 *
 * @example
 * ```ts
 * const t = await openTempPgMnemo("postgres://postgres@127.0.0.1:5432/postgres");
 * await t.dispose();
 * ```
 */
export async function openTempPgMnemo(url: string, embedder?: Embedder, options: Omit<MnemoOptions, "path" | "store" | "embedder"> = {}): Promise<{ mnemo: Mnemo; path: string; dispose: () => Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const path = `${url}${url.includes("?") ? "&" : "?"}schema=${schema}`;
  const mnemo = await Mnemo.open({ ...options, path, embedder });
  return {
    mnemo,
    path,
    dispose: async () => {
      await mnemo.close();
      const { default: pg } = await import("pg");
      const c = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
