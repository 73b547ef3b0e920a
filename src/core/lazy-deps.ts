/**
 * Heavy dependencies loaded on first use instead of at `import "mnemo-memory"` (compromise
 * ~1.5 s, gpt-tokenizer ~1 s, chrono-node ~0.9 s on a busy 2-core machine): a program that
 * only imports the package, shows `--help` or uses the HTTP client never pays for them.
 */
import { createRequire } from "node:module";

type Compromise = typeof import("compromise").default;
type Chrono = typeof import("chrono-node");
type Tokenizer = typeof import("gpt-tokenizer/encoding/cl100k_base");

const require = createRequire(import.meta.url);
let compromiseMod: Compromise | undefined;
let chronoMod: Chrono | undefined;
let tokenizerMod: Tokenizer | undefined;

/**
 * compromise's `nlp`, loaded on first call.
 *
 * @example
 * ```ts
 * const lexicon = compromise().model().one.lexicon;
 * ```
 */
export function compromise(): Compromise {
  return (compromiseMod ??= require("compromise") as Compromise);
}

/**
 * chrono-node, loaded on first call.
 *
 * @example
 * ```ts
 * chrono().parse("next Friday", { instant: new Date() });
 * ```
 */
export function chrono(): Chrono {
  return (chronoMod ??= require("chrono-node") as Chrono);
}

/**
 * The cl100k tokenizer of gpt-tokenizer, loaded on first call.
 *
 * @example
 * ```ts
 * tokenizer().countTokens("hello world"); // 2
 * ```
 */
export function tokenizer(): Tokenizer {
  return (tokenizerMod ??= require("gpt-tokenizer/encoding/cl100k_base") as Tokenizer);
}

/** Sentences chrono parses at preload: its parsers run interpreted until they are hot. */
const WARM_UP = [
  "I moved here last Friday at 3pm, two weeks ago.",
  "We fly out next month on October 12 and come back in two weeks.",
  "I went to a support group yesterday and it was powerful.",
  "I painted that lake sunrise last year! It's special to me.",
  "Last weekend I ran a charity race for mental health.",
  "My birthday is on May 10, three years ago I turned thirty.",
];

/**
 * Loads every heavy dependency now (compromise, chrono-node, the tokenizer), for a
 * long-running server: `mnemo serve` and `mnemo mcp` call it right after they start, so the
 * first `recall` or `remember` does not pay ≈ 0.5–3 s of module loading and first-use
 * compilation (the first recall of a 100K-turn user spent 0.44 s of its 1.26 s loading chrono
 * and the tokenizer, and ≈ 0.19 s in chrono's first parse). A
 * library user may call it too; `import` alone stays cheap.
 *
 * @example
 * ```ts
 * const server = await startServer(options);
 * preloadHeavyDeps();
 * ```
 */
export function preloadHeavyDeps(): void {
  compromise();
  // chrono's parsers run cold for their first calls (≈ 190 ms over the sentences of a first
  // remember or of a first recall that resolved its turns' dates with chrono): warmed here too.
  const ref = new Date(Date.UTC(2024, 6, 23));
  for (let i = 0; i < 40; i++) chrono().parse(WARM_UP[i % WARM_UP.length]!, ref);
  for (let i = 0; i < 20; i++) tokenizer().countTokens(WARM_UP.join(" ").slice(i));
}
