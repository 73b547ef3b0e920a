import type { Command } from "commander";
import { MnemoError } from "../../core/errors.js";
import { formatDay } from "../../core/time.js";
import { MEMORY_KINDS, type Memory, type MemoryKind } from "../../core/types.js";
import { withMnemo } from "../open.js";
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
 * Registers recall, memories (list/show/history), forget and delete-message.
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
    .action(async (query: string, o: { user: string; budget: string; asOf?: string; kinds?: string; agent?: string; session?: string; episodes: boolean; cite?: boolean }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        // A mistyped --user would silently recall nothing: say so instead.
        if (!(await m.users()).includes(o.user)) throw new MnemoError("UNKNOWN_USER", `No data for user ${JSON.stringify(o.user)}.`);
        const r = await m.recall(query, {
          userId: o.user,
          agentId: o.agent,
          budgetTokens: int("--budget", o.budget, 1000),
          asOf: o.asOf,
          kinds: kindsOf(o.kinds),
          includeEpisodes: o.episodes,
          citeSources: o.cite === true,
          filters: o.session ? { sessionId: o.session } : undefined,
        });
        print(opts.json, r, () => `${r.context}\n\n(${r.results.length} results, ${r.contextTokens} tokens)`);
      });
    });

  const memories = program.command("memories").description("list, show and trace memories");
  memories
    .command("list")
    .description("a user's memories, newest first")
    .requiredOption("--user <id>", "user id")
    .option("--kinds <list>", "only these kinds")
    .option("--all", "include invalidated memories")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <c>", "next page cursor from the previous call")
    .action(async (o: { user: string; kinds?: string; all?: boolean; limit: string; cursor?: string }) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const page = await m.memories({ userId: o.user, kinds: kindsOf(o.kinds), includeInvalidated: o.all === true, limit: int("--limit", o.limit, 50), cursor: o.cursor });
        print(opts.json, page, () => page.items.map(memoryRow).join("\n") + (page.nextCursor ? `\n(more: --cursor ${page.nextCursor})` : ""));
      });
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
      });
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
      });
    });

  program
    .command("forget")
    .description("forget a memory (never recalled again; kept in history)")
    .argument("<id>", "memory id")
    .action(async (id: string) => {
      const opts = g();
      await withMnemo(opts, async (m) => {
        const mem = await m.forget(id);
        print(opts.json, mem, () => `forgot ${mem.id}: ${mem.text}`);
      });
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
      });
    });
}
