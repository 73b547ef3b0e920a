import type { SensitivePolicy } from "../../recall/policy.js";
import type { Command } from "commander";
import { MnemoError } from "../../core/errors.js";
import { formatDay } from "../../core/time.js";
import { MEMORY_KINDS, type Memory, type MemoryKind } from "../../core/types.js";
import { ADDABLE_KINDS } from "../../lifecycle/add.js";
import { note, withMnemo } from "../open.js";
import { int, list, print, type GlobalOptions } from "../output.js";

function kindsOf(v: string | undefined): MemoryKind[] | undefined {
  const ks = list(v);
  if (!ks) return undefined;
  for (const k of ks) if (!(MEMORY_KINDS as readonly string[]).includes(k)) throw new MnemoError("INVALID_INPUT", `Unknown kind ${JSON.stringify(k)}; kinds are ${MEMORY_KINDS.join(", ")}.`);
  return ks as MemoryKind[];
}

function memoryRow(m: Memory): string {
  const state = m.forgottenAt ? " [forgotten]" : m.invalidatedAt ? ` [invalid since ${formatDay(m.validTo ?? m.invalidatedAt)}]` : "";
  return `${m.id}  ${m.kind.padEnd(11)} ${formatDay(m.observedAt).padEnd(17)} ${m.text}${state}`;
}

/**
 * Registers recall, memories (list/show/history), forget, restore, add, update and delete-message.
 *
 * @example
 * ```ts
 * const program = new Command("mnemo");
 * registerMemoryCommands(program, () => program.opts<GlobalOptions>());
 * ```
 */
export function registerMemoryCommands(program: Command, g: () => GlobalOptions): void {
  program
    .command("recall")
    .description("the memories and snippets that answer a query, under a token budget")
    .argument("<query>", "the question")
    .requiredOption("--user <id>", "user id")
    .option("--budget <tokens>", "token budget of the context", "1000")
    .option("--as-of <date>", "answer as of this date (what was known then)")
    .option("--kinds <list>", `only these kinds: ${MEMORY_KINDS.join(",")}`)
    .option("--agent <id>", "only this agent's memories")
    .option("--session <id>", "only this session")
    .option("--no-episodes", "leave verbatim snippets out")
    .option("--cite", "end each context line with its source id, e.g. (D1:3)")
    .option("--sensitive <policy>", "sensitive memories: relevant (only when the query is about them), exclude, include", "relevant")
    .option("--include-quarantined", "also recall quarantined episodes (suspected injections), marked as such")
    .action(async (query: string, o: { user: string; budget: string; asOf?: string; kinds?: string; agent?: string; session?: string; episodes: boolean; cite?: boolean; sensitive: string; includeQuarantined?: boolean }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        // Unknown users get an empty answer, as in the library and over HTTP; a mistyped --user
        // would silently recall nothing, so say so on stderr.
        if (!(await m.users()).includes(o.user)) note(`user ${JSON.stringify(o.user)} has no data in this store (users: mnemo stats --json).`);
        const r = await m.recall(query, {
          userId: o.user,
          agentId: o.agent,
          budgetTokens: int("--budget", o.budget, 1000),
          asOf: o.asOf,
          kinds: kindsOf(o.kinds),
          includeEpisodes: o.episodes,
          citeSources: o.cite === true,
          filters: o.session ? { sessionId: o.session } : undefined,
          sensitive: o.sensitive as SensitivePolicy,
          includeQuarantined: o.includeQuarantined === true,
        });
        const w = r.withheld;
        const held = w && (w.sensitive > 0 || w.quarantined > 0) ? `; withheld: ${w.sensitive} sensitive${w.categories.length ? ` (${w.categories.join(", ")})` : ""}, ${w.quarantined} quarantined` : "";
        print(opts.json, r, () => `${r.context}\n\n(${r.results.length} results, ${r.contextTokens} tokens${held})`);
      }, { mode: "read" });
    });

  const memories = program.command("memories").description("list, show and trace memories");
  memories
    .command("list")
    .description("a user's memories, newest first")
    .requiredOption("--user <id>", "user id")
    .option("--kinds <list>", "only these kinds")
    .option("--all", "include invalidated memories")
    .option("--forgotten", "include forgotten memories (marked [forgotten]; undo with `mnemo restore <id>`)")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <c>", "next page cursor from the previous call")
    .action(async (o: { user: string; kinds?: string; all?: boolean; forgotten?: boolean; limit: string; cursor?: string }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const page = await m.memories({ userId: o.user, kinds: kindsOf(o.kinds), includeInvalidated: o.all === true, includeForgotten: o.forgotten === true, limit: int("--limit", o.limit, 50), cursor: o.cursor });
        print(opts.json, page, () => page.items.map(memoryRow).join("\n") + (page.nextCursor ? `\n(more: --cursor ${page.nextCursor})` : ""));
      }, { mode: "read" });
    });
  memories
    .command("show")
    .description("one memory with its sources")
    .argument("<id>", "memory id")
    .action(async (id: string) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const mem = await m.memory(id);
        const eps = await m.store.getEpisodes({ tenant: mem.tenant, userId: mem.userId }, mem.sources);
        print(opts.json, { ...mem, sourceEpisodes: eps }, () =>
          [memoryRow(mem), `user ${mem.userId}  version ${mem.version}  strength ${mem.strength.toFixed(2)}  importance ${mem.importance.toFixed(2)}`,
            ...eps.map((e) => `  source ${e.externalId ?? e.id} [${formatDay(e.occurredAt)}] ${e.speaker}: ${e.text}`)].join("\n"),
        );
      }, { mode: "read" });
    });
  memories
    .command("history")
    .description("every version of a memory")
    .argument("<id>", "memory id")
    .action(async (id: string) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const h = await m.history(id);
        print(opts.json, h, () => h.map((v) => `v${v.version} ${v.op.padEnd(10)} ${v.at}  ${v.text}${v.reason ? `  (${v.reason})` : ""}`).join("\n"));
      }, { mode: "read" });
    });

  program
    .command("forget")
    .description("forget a memory (never recalled again; kept in history)")
    .argument("<id>", "memory id")
    .action(async (id: string) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const mem = await m.forget(id);
        print(opts.json, mem, () => `forgot ${mem.id}: ${mem.text} (undo: mnemo restore ${mem.id})`);
      }, { mode: "read" });
    });

  program
    .command("restore")
    .description("undo a forget: the memory is recalled again (list forgotten ones with `mnemo memories list --forgotten`)")
    .argument("<id>", "memory id")
    .action(async (id: string) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const mem = await m.restore(id);
        print(opts.json, mem, () => `restored ${mem.id}: ${mem.text}`);
      }, { mode: "read" });
    });

  program
    .command("add")
    .description("add a fact, preference or instruction directly (no conversation); the same --key (or kind and text) updates one memory")
    .argument("<kind>", ADDABLE_KINDS.join(" | "))
    .argument("<text...>", "the memory, one sentence")
    .requiredOption("--user <id>", "user id")
    .option("--agent <id>", "agent id")
    .option("--key <key>", "your key for it: adding again with the same key replaces the text")
    .option("--importance <0..1>", "importance (default 0.7)")
    .option("--valid-from <date>", "when it became true")
    .option("--expires <date>", "never recalled after this date")
    .action(async (kind: string, text: string[], o: { user: string; agent?: string; key?: string; importance?: string; validFrom?: string; expires?: string }) => {
      const opts = g();
      if (!(ADDABLE_KINDS as readonly string[]).includes(kind)) throw new MnemoError("INVALID_INPUT", `Unknown kind ${JSON.stringify(kind)}; add takes ${ADDABLE_KINDS.join(", ")}.`, { hint: "e.g. mnemo add preference \"Alice prefers window seats.\" --user alice" });
      const importance = o.importance === undefined ? undefined : Number(o.importance);
      if (importance !== undefined && !(importance >= 0 && importance <= 1)) throw new MnemoError("INVALID_INPUT", "--importance must be between 0 and 1.");
      await withMnemo(opts, async (m) => {
        const r = await m.add({ kind: kind as (typeof ADDABLE_KINDS)[number], text: text.join(" "), key: o.key, importance, validFrom: o.validFrom, expiresAt: o.expires }, { userId: o.user, agentId: o.agent });
        print(opts.json, r, () => `${r.created ? "added" : r.changed ? "updated" : "unchanged"} ${r.memory.id}: ${r.memory.kind} ${r.memory.text}`);
      });
    });

  program
    .command("update")
    .description("edit a memory (the old version stays in history)")
    .argument("<id>", "memory id")
    .option("--text <text>", "new text")
    .option("--kind <kind>", `new kind: ${MEMORY_KINDS.join(", ")}`)
    .option("--importance <0..1>", "new importance")
    .option("--expires <date>", "never recalled after this date (\"never\" clears it)")
    .option("--valid-from <date>", "when it became true")
    .action(async (id: string, o: { text?: string; kind?: string; importance?: string; expires?: string; validFrom?: string }) => {
      const opts = g();
      if (o.text === undefined && o.kind === undefined && o.importance === undefined && o.expires === undefined && o.validFrom === undefined) throw new MnemoError("INVALID_INPUT", "Nothing to change.", { hint: "Pass --text, --kind, --importance, --expires or --valid-from." });
      await withMnemo(opts, async (m) => {
        const mem = await m.update(id, {
          text: o.text,
          kind: o.kind === undefined ? undefined : kindsOf(o.kind)![0],
          importance: o.importance === undefined ? undefined : Number(o.importance),
          expiresAt: o.expires === undefined ? undefined : o.expires === "never" ? null : o.expires,
          validFrom: o.validFrom,
        });
        print(opts.json, mem, () => `updated ${mem.id} (v${mem.version}): ${mem.kind} ${mem.text}`);
      }, { mode: "read" });
    });

  program
    .command("delete-message")
    .description("delete one remembered message (episode id or your message id): never recalled or exported again; memories only from it are deleted too")
    .argument("<id>", "episode id or message id")
    .requiredOption("--user <id>", "user id")
    .action(async (id: string, o: { user: string }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const r = await m.deleteEpisode(id, { userId: o.user });
        print(opts.json, r, () => `deleted message ${r.id}: ${r.memoriesDeleted} memories deleted with it, ${r.memoriesUpdated} updated`);
      }, { mode: "read" });
    });
}
