import type { Command } from "commander";
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { z } from "zod";
import { MnemoError } from "../../core/errors.js";
import type { MessageInput, RememberResult } from "../../core/types.js";
import { readLocomo, rememberConversation } from "../../importers/locomo.js";
import type { Mnemo } from "../../mnemo.js";
import { cliIo } from "../io.js";
import { existsSync } from "node:fs";
import { EMBEDDER_META_KEY } from "../../core/context.js";
import { note, SETTINGS_META, withMnemo } from "../open.js";
import { list, print, progress, type GlobalOptions } from "../output.js";

function readText(path: string): string {
  if (path !== "-" && !existsSync(path)) throw new MnemoError("INVALID_INPUT", `file not found: ${path}`, { hint: "Check the path (relative paths start from the current directory)." });
  try {
    if (path === "-") return cliIo().readStdin?.() ?? readFileSync(0, "utf8");
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new MnemoError("INVALID_INPUT", `Cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * The import summary in words, e.g. "memories: 12 added, 1 updated, 0 invalidated, 3 unchanged".
 *
 * @example
 * ```ts
 * memorySummary({ added: 2, updated: 0, invalidated: 1, unchanged: 4 }); // "memories: 2 added, 0 updated, 1 invalidated (contradicted), 4 unchanged"
 * ```
 */
export function memorySummary(r: { added: number; updated: number; invalidated: number; unchanged: number }): string {
  return `memories: ${r.added} added, ${r.updated} updated, ${r.invalidated} invalidated (contradicted), ${r.unchanged} unchanged`;
}

const jsonlLine = z.strictObject({
  userId: z.string().optional(),
  sessionId: z.string().optional(),
  id: z.string().optional(),
  speaker: z.string().optional(),
  role: z.string().optional(),
  content: z.string(),
  attachmentText: z.string().optional(),
  occurredAt: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Parses the generic chat JSONL format: one message per line,
 * `{"userId"?, "sessionId"?, "id"?, "speaker"|"role", "content", "attachmentText"?, "occurredAt"?, "metadata"?}`.
 * Returns messages grouped by user and session, in file order.
 *
 * @example
 * ```ts
 * const byUser = parseChatJsonl('{"sessionId":"s1","speaker":"alice","content":"I moved to Boston."}\n', "alice");
 * byUser.get("alice")?.get("s1")?.[0]?.content; // "I moved to Boston."
 * ```
 */
export function parseChatJsonl(text: string, defaultUser: string | undefined): Map<string, Map<string, MessageInput[]>> {
  const out = new Map<string, Map<string, MessageInput[]>>();
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new MnemoError("INVALID_JSON", `Line ${i + 1}: ${(e as Error).message}`);
    }
    const r = jsonlLine.safeParse(raw);
    if (!r.success) throw new MnemoError("INVALID_INPUT", `Line ${i + 1}: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`);
    const { userId, sessionId, ...msg } = r.data;
    const user = userId ?? defaultUser;
    if (!user) throw new MnemoError("INVALID_SCOPE", `Line ${i + 1} has no userId and no --user was given.`);
    const session = sessionId ?? "";
    let byS = out.get(user);
    if (!byS) out.set(user, (byS = new Map()));
    byS.set(session, [...(byS.get(session) ?? []), { ...msg, sessionId }]);
  });
  if (out.size === 0) throw new MnemoError("INVALID_INPUT", "The file has no messages.");
  return out;
}

function sumResults(into: RememberResult["memories"] & { episodes: number; duplicates: number }, r: RememberResult): void {
  into.episodes += r.episodes.added;
  into.duplicates += r.episodes.duplicates;
  into.added += r.memories.added;
  into.updated += r.memories.updated;
  into.invalidated += r.memories.invalidated;
  into.unchanged += r.memories.unchanged;
}

async function importLocomo(m: Mnemo, file: string, conversations: string[] | undefined) {
  const convs = readLocomo(file, conversations);
  const totals = { episodes: 0, duplicates: 0, added: 0, updated: 0, invalidated: 0, unchanged: 0 };
  const total = convs.reduce((n, c) => n + c.sessions.reduce((k, s) => k + s.messages.length, 0), 0);
  const bar = progress("importing");
  let done = 0;
  const t0 = performance.now();
  for (const c of convs) {
    sumResults(totals, await rememberConversation(m, c));
    done += c.sessions.reduce((k, s) => k + s.messages.length, 0);
    bar.update(done, total);
  }
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  return { users: convs.map((c) => c.sampleId), turns: total, seconds: +seconds.toFixed(3), turnsPerSecond: Math.round(total / Math.max(seconds, 1e-9)), ...totals };
}

async function importJsonl(m: Mnemo, file: string, user: string | undefined) {
  const groups = parseChatJsonl(readText(file), user);
  const totals = { episodes: 0, duplicates: 0, added: 0, updated: 0, invalidated: 0, unchanged: 0 };
  const t0 = performance.now();
  let turns = 0;
  for (const [userId, sessions] of groups) {
    for (const [sessionId, messages] of sessions) {
      sumResults(totals, await m.remember(messages, { userId, sessionId: sessionId || undefined }));
      turns += messages.length;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { users: [...groups.keys()], turns, seconds: +seconds.toFixed(3), turnsPerSecond: Math.round(turns / Math.max(seconds, 1e-9)), ...totals };
}

/**
 * Registers import, export, remember, erase, stats and reembed.
 *
 * @example
 * ```ts
 * const program = new Command("mnemo");
 * registerDataCommands(program, () => program.opts<GlobalOptions>());
 * ```
 */
export function registerDataCommands(program: Command, g: () => GlobalOptions): void {
  program
    .command("import")
    .description("import data: `import locomo <file>`, `import jsonl <file>`, or `import <export.jsonl>` (a Mnemo export)")
    .argument("<format-or-file>", "locomo | jsonl | export | a Mnemo export file")
    .argument("[file]", "the file (- for stdin)")
    .option("--conversations <ids>", "LoCoMo: only these sample ids, comma-separated")
    .option("--user <id>", "jsonl: user for lines without userId; export: import into this user")
    .option("--allow-instructions", "export: also import instruction memories (only for a file you trust, e.g. your own export)")
    .action(async (formatOrFile: string, file: string | undefined, o: { conversations?: string; user?: string; allowInstructions?: boolean }) => {
      const opts = g();
      const format = ["locomo", "jsonl", "export"].includes(formatOrFile) ? formatOrFile : "export";
      const path = format === "export" && !["export"].includes(formatOrFile) ? formatOrFile : file;
      if (!path) throw new MnemoError("INVALID_INPUT", `mnemo import ${format} needs a file.`);
      if (format === "export" && formatOrFile !== "export") {
        // A bare file is a Mnemo export; say which format word a chat or LoCoMo file needs.
        const text = readText(path);
        const first = text.slice(0, text.indexOf("\n") === -1 ? text.length : text.indexOf("\n")).trim();
        let header: unknown = null;
        try {
          header = JSON.parse(first);
        } catch {
          header = null;
        }
        if (!(header && typeof header === "object" && (header as { type?: unknown }).type === "mnemo-export")) {
          const guess = /\.jsonl$/i.test(path) || (header && typeof header === "object" && "content" in header) ? "jsonl" : /\.json$/i.test(path) ? "locomo" : null;
          throw new MnemoError("INVALID_INPUT", `${path} is not a Mnemo export.`, {
            hint: guess ? `Did you mean \`mnemo import ${guess} ${path}\`? (formats: jsonl = one chat message per line, locomo = a LoCoMo JSON file, or a file made by \`mnemo export\`)` : "Name the format: `mnemo import jsonl <file>` or `mnemo import locomo <file>`; a bare file must be made by `mnemo export`.",
          });
        }
      }
      await withMnemo(opts, async (m) => {
        if (format === "locomo") {
          const r = await importLocomo(m, path, list(o.conversations));
          print(opts.json, r, () => `imported ${r.turns} turns for ${r.users.join(", ")} in ${r.seconds}s (${r.turnsPerSecond} turns/s): ${r.episodes} episodes (${r.duplicates} already there), ${memorySummary(r)}`);
        } else if (format === "jsonl") {
          const r = await importJsonl(m, path, o.user);
          print(opts.json, r, () => `imported ${r.turns} messages for ${r.users.join(", ")} in ${r.seconds}s: ${r.episodes} episodes (${r.duplicates} already there), ${memorySummary(r)}`);
        } else {
          const r = await m.import(readText(path), o.user ? { userId: o.user } : {}, { allowInstructions: o.allowInstructions === true });
          print(opts.json, r, () => `imported ${r.episodes} episodes, ${r.memories} memories, ${r.entities} entities`);
        }
      });
    });

  program
    .command("export")
    .description("export a user as JSONL (round-trips with `mnemo import <file>`)")
    .requiredOption("--user <id>", "user id")
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (o: { user: string; out?: string }) => {
      await withMnemo(g(), async (m) => {
        const stdout = cliIo().stdout;
        const out = o.out ? createWriteStream(o.out) : stdout;
        for await (const line of m.export({ userId: o.user })) if (!out.write(line + "\n") && "once" in out) await once(out as NodeJS.EventEmitter, "drain");
        if (o.out) await new Promise<void>((res, rej) => (out as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? rej(e) : res())));
      }, { mode: "read" });
    });

  program
    .command("remember")
    .description("remember messages: text arguments, or --file with a JSON array of messages")
    .requiredOption("--user <id>", "user id")
    .option("--session <id>", "session id")
    .option("--agent <id>", "agent id")
    .option("--speaker <name>", "speaker of the text arguments (default: the user, so \"I\" is --user-name)", "user")
    .option("--user-name <name>", "display name of the user: who \"I\" is in user turns (default: --user)")
    .option("--at <date>", "when it was said (ISO 8601); default now")
    .option("--file <path>", "JSON array of messages ({id?, speaker|role, content, occurredAt?}); - for stdin")
    .argument("[text...]", "message text")
    .action(async (text: string[], o: { user: string; userName?: string; session?: string; agent?: string; speaker: string; at?: string; file?: string }) => {
      const opts = g();
      let messages: unknown;
      if (o.file) {
        try {
          messages = JSON.parse(readText(o.file));
        } catch (e) {
          if (e instanceof MnemoError) throw e;
          throw new MnemoError("INVALID_JSON", (e as Error).message);
        }
      } else {
        if (text.length === 0) throw new MnemoError("INVALID_INPUT", "Give the message text or --file.");
        messages = [{ speaker: o.speaker, content: text.join(" "), ...(o.at ? { occurredAt: o.at } : {}) }];
      }
      await withMnemo(opts, async (m) => {
        const r = await m.remember(messages as MessageInput[], { userId: o.user, sessionId: o.session, agentId: o.agent, ...(o.userName !== undefined ? { userName: o.userName } : {}) });
        print(opts.json, r, () => `episodes: ${r.episodes.added} added, ${r.episodes.duplicates} already there; ${memorySummary(r.memories)}`);
      });
    });

  program
    .command("erase")
    .description("hard-delete a user and everything derived from them (saved HTTP Idempotency-Key responses included)")
    .requiredOption("--user <id>", "user id")
    .action(async (o: { user: string }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const r = await m.erase({ userId: o.user });
        print(opts.json, { erased: o.user, ...r }, () => `erased ${o.user}: ${r.episodes} episodes, ${r.memories} memories, ${r.entities} entities`);
      }, { mode: "read" });
    });

  program
    .command("stats")
    .description("counts of episodes, memories and entities (for --user, or the whole store)")
    .option("--user <id>", "user id")
    .action(async (o: { user?: string }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const s = await m.stats(o.user ? { tenant: opts.tenant, userId: o.user } : undefined);
        const users = o.user ? [o.user] : await m.users();
        print(opts.json, { ...s, userIds: users }, () => `episodes ${s.episodes}\nmemories ${s.memories}\nentities ${s.entities}\nsegments ${s.segments}\nvectors ${s.vectors}\nusers ${users.join(", ") || "-"}`);
      }, { mode: "read" });
    });

  program
    .command("extract")
    .description("extract memories from turns queued while the model provider was down (LLM mode; also done by the next remember)")
    .option("--user <id>", "only this user (default: every user of the tenant)")
    .action(async (o: { user?: string }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const r = await m.extractPending(o.user ? { userId: o.user } : undefined);
        print(opts.json, r, () => `extracted ${r.extracted} queued turns into ${r.memories} memories; ${r.pending} still queued${r.pending > 0 ? " (is the model provider up?)" : ""}`);
      }, { mode: "read", model: true });
    });

  program
    .command("reembed")
    .description("rebuild every vector with --embedder (remembered for later commands), else with the store's remembered embedder or the default")
    .action(async () => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const have = await m.store.getMeta(EMBEDDER_META_KEY);
        const want = `${m.embedder.id}:${m.embedder.dim}`;
        if (!opts.embedder && have !== null && have !== want) {
          const from = (await m.store.getMeta(SETTINGS_META.embedder)) ? "the embedder this store remembers" : "the default embedder";
          note(`the stored vectors come from "${have}"; re-embedding every vector with "${want}" (${from}). To use another model pass --embedder <spec>.`);
        }
        const r = await m.reembed();
        print(opts.json, { ...r, embedder: want }, () => `re-embedded ${r.vectors} vectors with ${want}`);
      });
    });
}
