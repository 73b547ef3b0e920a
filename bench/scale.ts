/**
 * `npm run bench:scale`: how Mnemo behaves as one user's memory grows, and across many
 * users, beside the raw SQLite FTS5 floor measured in the same run (issue 9).
 *
 * One user is grown from LoCoMo dev text: the 5 conversations are repeated with renamed
 * people and dates shifted by 400 days per copy, until the size is reached. Each size
 * runs in its own child process (so RSS is that size's alone).
 *
 * @example
 * ```sh
 * npm run bench:scale                                   # 1K and 10K turns, 200 users × 50 turns
 * npm run bench:scale -- --sizes 1000,10000,100000      # add the 100K point
 * npm run bench:scale -- --million                      # add a 1M-turn point (long)
 * npm run bench:scale -- --users 10000                  # 10K users × 50 turns
 * npm run bench:scale -- --db postgres://postgres@127.0.0.1:5432/postgres   # Mnemo on PostgreSQL (a fresh schema per point; no FTS5 floor, no file sizes)
 * ```
 */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Mnemo } from "../src/mnemo.js";
import { readLocomo } from "../src/importers/locomo.js";
import { grownSessions } from "./grown-user.js";
import { warmUpMnemo } from "../src/bench/common.js";
import type { MessageInput } from "../src/core/types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Args {
  sizes: number[];
  users: number;
  data: string;
  out: string;
  child: string | null;
  /** A postgres:// URL: Mnemo runs on PostgreSQL (a fresh schema per point) instead of a SQLite file. */
  db: string | null;
}

function parseArgs(argv: string[]): Args {
  const get = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (get("--sizes") ?? "1000,10000").split(",").map(Number).filter((n) => n > 0);
  if (argv.includes("--million")) sizes.push(1_000_000);
  return {
    sizes,
    users: Number(get("--users") ?? 200),
    data: get("--data") ?? resolve(ROOT, "../shared/data/locomo/locomo-dev.json"),
    out: get("--out") ?? join(ROOT, "bench/results/scale.json"),
    child: get("--child") ?? null,
    db: get("--db") ?? null,
  };
}

/** The LoCoMo conversations as one endless stream of sessions (renamed, shifted copies). */
function* sessions(data: string): Generator<{ messages: MessageInput[] }> {
  for (const messages of grownSessions(data)) yield { messages };
}

/** The first `n` turns of the stream, by session. */
function take(data: string, n: number): MessageInput[][] {
  const out: MessageInput[][] = [];
  let left = n;
  for (const s of sessions(data)) {
    if (left <= 0) break;
    const msgs = s.messages.slice(0, left);
    out.push(msgs);
    left -= msgs.length;
  }
  return out;
}

function questions(data: string): string[] {
  return readLocomo(data).flatMap((c) => c.qa.filter((q) => q.category !== 5).map((q) => q.question));
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
function fileBytes(path: string): number {
  return [path, path + "-wal"].reduce((n, p) => n + (existsSync(p) ? statSync(p).size : 0), 0);
}

/** The raw FTS5 floor: the same turns in one FTS5 table, the same queries' words. */
function ftsFloor(dir: string, batches: MessageInput[][], qs: string[], writes: MessageInput[]) {
  const path = join(dir, "floor.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61')");
  const ins = db.prepare("INSERT INTO t (text) VALUES (?)");
  let turns = 0;
  const t0 = process.hrtime.bigint();
  for (const b of batches) db.transaction(() => b.forEach((m) => (ins.run(m.content), turns++)))();
  const ingestMs = ms(t0);
  const insert: number[] = [];
  for (const m of writes) {
    const t = process.hrtime.bigint();
    ins.run(m.content);
    insert.push(ms(t));
  }
  const q = db.prepare("SELECT rowid, text FROM t WHERE t MATCH ? ORDER BY rank LIMIT 60");
  const lat: number[] = [];
  for (const text of qs) {
    const words = [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2))];
    if (words.length === 0) continue;
    const t = process.hrtime.bigint();
    q.all(words.map((w) => `"${w}"`).join(" OR "));
    lat.push(ms(t));
  }
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return { ingestTurnsPerS: (turns / ingestMs) * 1000, insertP50: pct(insert, 50), insertP95: pct(insert, 95), queryP50: pct(lat, 50), queryP95: pct(lat, 95), bytesPerTurn: fileBytes(path) / turns };
}

/** Where a point's store lives: a file in `dir`, or a fresh schema of the --db PostgreSQL (dropped by `drop`). */
function storeOf(a: Args, dir: string, file: string): { path: string; pg: boolean; drop: () => Promise<void> } {
  if (!a.db) return { path: join(dir, file), pg: false, drop: async () => undefined };
  const schema = `scale_${process.pid}_${Date.now().toString(36)}`;
  return {
    path: `${a.db}${a.db.includes("?") ? "&" : "?"}schema=${schema}`,
    pg: true,
    drop: async () => {
      const { default: pg } = await import("pg");
      const c = new pg.Client({ connectionString: a.db! });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** One user grown to `size` turns. */
async function single(a: Args, size: number) {
  const dir = mkdtempSync(join(tmpdir(), "mnemo-scale-"));
  const store = storeOf(a, dir, "scale.db");
  const path = store.path;
  try {
    const batches = take(a.data, size + 40);
    const live = batches.flat().slice(size, size + 40);
    const body = take(a.data, size);
    const qs = questions(a.data);
    const user = { userId: "grown" };
    // One-time loads (NLP libraries, word vectors, tokenizer) are timed apart from the ingest rate, as the LoCoMo bench does.
    const warmUpS = await warmUpMnemo();
    let mnemo = await Mnemo.open({ path });
    const t0 = process.hrtime.bigint();
    for (const b of body) await mnemo.remember(b, user);
    const ingestMs = ms(t0);
    // Warm recall: no write in between.
    const iters = size >= 100_000 ? 15 : 40;
    await mnemo.recall(qs[0]!, user);
    const warm: number[] = [];
    for (const q of qs.slice(1, 1 + iters)) {
      const t = process.hrtime.bigint();
      await mnemo.recall(q, user);
      warm.push(ms(t));
    }
    // A chat loop: remember one message, then recall.
    const writes = size >= 100_000 ? 10 : 20;
    const remember: number[] = [];
    const afterWrite: number[] = [];
    for (let i = 0; i < writes; i++) {
      const msg = { ...live[i]!, id: `live:${i}`, sessionId: "live" };
      let t = process.hrtime.bigint();
      await mnemo.remember([msg], user);
      remember.push(ms(t));
      t = process.hrtime.bigint();
      await mnemo.recall(qs[100 + i]!, user);
      afterWrite.push(ms(t));
    }
    const rss = rssMb();
    await mnemo.close();
    // First recall after opening (the embedder is loaded by open, outside the timing).
    mnemo = await Mnemo.open({ path });
    let t = process.hrtime.bigint();
    await mnemo.recall(qs[200]!, user);
    const firstRecall = ms(t);
    t = process.hrtime.bigint();
    await mnemo.recall(qs[201]!, user);
    const secondRecall = ms(t);
    await mnemo.close();
    if (!store.pg) {
      const cx = new Database(path);
      cx.pragma("wal_checkpoint(TRUNCATE)");
      cx.close();
    }
    const dbBytes = store.pg ? NaN : fileBytes(path);
    const turns = size + writes;
    const floor = store.pg ? { ingestTurnsPerS: NaN, insertP50: NaN, insertP95: NaN, queryP50: NaN, queryP95: NaN, bytesPerTurn: NaN } : ftsFloor(dir, body, qs.slice(1, 1 + iters), live.slice(0, writes));
    return {
      kind: "single",
      turns: size,
      ingestTurnsPerS: (size / ingestMs) * 1000,
      ingestWarmUpS: warmUpS,
      rememberP50: pct(remember, 50),
      rememberP95: pct(remember, 95),
      recallP50: pct(warm, 50),
      recallP95: pct(warm, 95),
      afterWriteP50: pct(afterWrite, 50),
      afterWriteP95: pct(afterWrite, 95),
      firstRecallMs: firstRecall,
      secondRecallMs: secondRecall,
      rssMb: rss,
      dbBytesPerTurn: dbBytes / turns,
      floor,
    };
  } finally {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `users` users × 50 turns: ingest, then one recall per user (each a different user). */
async function manyUsers(a: Args, users: number) {
  const dir = mkdtempSync(join(tmpdir(), "mnemo-scale-"));
  const store = storeOf(a, dir, "users.db");
  const path = store.path;
  try {
    const stream = take(a.data, 50 * 60).flat();
    const qs = questions(a.data);
    const warmUpS = await warmUpMnemo();
    const mnemo = await Mnemo.open({ path });
    const t0 = process.hrtime.bigint();
    for (let u = 0; u < users; u++) {
      const start = (u * 50) % (stream.length - 50);
      await mnemo.remember(stream.slice(start, start + 50).map((m, i) => ({ ...m, id: `u${u}:${i}` })), { userId: `user-${u}` });
      if ((u + 1) % 1000 === 0) process.stderr.write(`users: ${u + 1} ingested, ${(((u + 1) * 50) / ms(t0)) * 1000 | 0} turns/s\n`);
    }
    const ingestMs = ms(t0);
    const rssBefore = rssMb();
    const lat: number[] = [];
    for (let u = 0; u < users; u++) {
      const t = process.hrtime.bigint();
      await mnemo.recall(qs[u % qs.length]!, { userId: `user-${u}` });
      lat.push(ms(t));
    }
    const rss = rssMb();
    await mnemo.close();
    return { kind: "users", users, turns: users * 50, ingestTurnsPerS: ((users * 50) / ingestMs) * 1000, ingestWarmUpS: warmUpS, recallP50: pct(lat, 50), recallP95: pct(lat, 95), rssBeforeRecallMb: rssBefore, rssMb: rss, dbBytesPerTurn: store.pg ? NaN : fileBytes(path) / (users * 50) };
  } finally {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "—");

function table(rows: Array<Record<string, unknown>>): string {
  const lines = [
    "| point | ingest turns/s (floor); one-time warm-up s | remember p50/p95 ms (floor insert) | recall p50/p95 ms (FTS5 floor) | after a write p50/p95 ms | first recall after open ms | RSS MB | DB bytes/turn (floor) |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows as Array<Record<string, any>>) {
    if (r.kind === "single") {
      const fl = r.floor;
      lines.push(
        `| 1 user, ${r.turns.toLocaleString("en")} turns | ${f(r.ingestTurnsPerS, 0)} (${f(fl.ingestTurnsPerS, 0)}); ${f(r.ingestWarmUpS, 2)} | ${f(r.rememberP50)} / ${f(r.rememberP95)} (${f(fl.insertP50, 2)}) | ${f(r.recallP50)} / ${f(r.recallP95)} (${f(fl.queryP50, 2)} / ${f(fl.queryP95, 2)}) | ${f(r.afterWriteP50)} / ${f(r.afterWriteP95)} | ${f(r.firstRecallMs, 0)} | ${f(r.rssMb, 0)} | ${f(r.dbBytesPerTurn, 0)} (${f(fl.bytesPerTurn, 0)}) |`,
      );
    } else {
      lines.push(`| ${r.users.toLocaleString("en")} users × 50 turns | ${f(r.ingestTurnsPerS, 0)}; ${f(r.ingestWarmUpS, 2)} | — | ${f(r.recallP50)} / ${f(r.recallP95)} (each a different user) | — | — | ${f(r.rssBeforeRecallMb, 0)} → ${f(r.rssMb, 0)} | ${f(r.dbBytesPerTurn, 0)} |`);
    }
  }
  return lines.join("\n");
}

const args = parseArgs(process.argv.slice(2));
if (args.child) {
  const [kind, n] = args.child.split(":");
  const r = kind === "users" ? await manyUsers(args, Number(n)) : await single(args, Number(n));
  process.stdout.write("\nRESULT " + JSON.stringify(r) + "\n");
} else {
  const rows: Array<Record<string, unknown>> = [];
  const points = [...args.sizes.map((s) => `single:${s}`), ...(args.users > 0 ? [`users:${args.users}`] : [])];
  for (const p of points) {
    const t0 = Date.now();
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), "--child", p], {
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) {
      console.error(`${p} failed (exit ${child.status})`);
      process.exitCode = 1;
      continue;
    }
    const r = JSON.parse(line.slice(7)) as Record<string, unknown>;
    rows.push(r);
    console.error(`${p}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + "\n");
  console.log(table(rows));
  console.log(`\nwritten to ${args.out}`);
}
