import { z } from "zod";
import { MnemoError } from "./errors.js";
import type { LLM } from "../providers/llm/types.js";
import type { Embedder } from "../providers/embeddings/types.js";
import type { Extractor } from "../ingest/extract/types.js";
import type { Store } from "../store/types.js";
import { SOURCE_ROLES, type SourceRole } from "./types.js";

/**
 * Weights of the recall channels in the fused score (see docs/DESIGN.md).
 *
 * @example
 * ```ts
 * const w: ChannelWeights = { lexical: 1.0, dense: 0.8, graph: 0.5, temporal: 0.7, segment: 0.5 };
 * ```
 */
export interface ChannelWeights {
  lexical: number;
  dense: number;
  graph: number;
  temporal: number;
  segment: number;
}

/**
 * Tunables of recall.
 *
 * @example
 * ```ts
 * const t: RecallTuning = { ...DEFAULT_OPTIONS.recall, rrfK: 60, decayWeight: 0 };
 * ```
 */
export interface RecallTuning {
  weights: ChannelWeights;
  /** The k of reciprocal-rank fusion. */
  rrfK: number;
  /** Candidates taken from each channel. */
  channelDepth: number;
  /** Share of the budget that may go to verbatim episodes. */
  episodeShare: number;
  /** Decay half-life in days for an unreinforced memory (strength 1). */
  halfLifeDays: number;
  /** How much decay may lower a score (0 = none, 1 = fully). */
  decayWeight: number;
}

/**
 * Options for {@link Mnemo.open}. Everything is optional; see {@link DEFAULT_OPTIONS}.
 *
 * @example
 * ```ts
 * const mnemo = await Mnemo.open({ path: "./memory.db", tenant: "acme" });
 * ```
 */
export interface MnemoOptions {
  /** SQLite file path (default: $MNEMO_DB or the user data dir). Ignored when `store` is given. */
  path?: string | undefined;
  /** A store instance (e.g. PostgreSQL); overrides `path`. */
  store?: Store | undefined;
  /** Default tenant for calls that do not name one. */
  tenant?: string | undefined;
  /** Embedder (default: the bundled offline word vectors, see `defaultEmbedder`). */
  embedder?: Embedder | undefined;
  /** Extractor (default: offline rules + NLP; `llm` switches to the LLM extractor). */
  extractor?: Extractor | undefined;
  /** A chat model; when given and no extractor is set, the LLM extractor is used. */
  llm?: LLM | undefined;
  /** Largest accepted message, in characters. */
  maxMessageChars?: number | undefined;
  /** Largest accepted batch, in messages. */
  maxBatchMessages?: number | undefined;
  /**
   * A message without an id and without a time is a duplicate only of the same text by the
   * same speaker in the same session remembered less than this many seconds earlier (a
   * retried request); said again later it is stored again. Default 60; 0 never dedups them.
   */
  dedupWindowSeconds?: number | undefined;
  /** Recall tunables (partial; merged over the defaults). */
  recall?: Partial<Omit<RecallTuning, "weights">> & { weights?: Partial<ChannelWeights> | undefined };
  /** Clock, for tests. */
  now?: (() => Date) | undefined;
  /** Display name of the person in `user`-role messages ("I" in a user turn); default: the call's userId. */
  userName?: string | undefined;
  /**
   * Bound, in bytes, of the SQLite store's in-memory vector cache across every user
   * (default 128 MiB, or `$MNEMO_CACHE_MB`); least recently searched users are dropped.
   */
  cacheBytes?: number | undefined;
  /**
   * Sources whose text may become instructions and facts about the user (default `["user"]`);
   * e.g. `["user", "system"]` when the system messages are yours. See docs/SECURITY.md.
   */
  trustedSources?: SourceRole[] | undefined;
}

/**
 * Options after defaults are applied.
 *
 * @example
 * ```ts
 * const o: ResolvedOptions = { ...DEFAULT_OPTIONS, path: "mnemo.db", now: () => new Date() };
 * ```
 */
export interface ResolvedOptions {
  path: string | null;
  tenant: string;
  maxMessageChars: number;
  maxBatchMessages: number;
  dedupWindowSeconds: number;
  recall: RecallTuning;
  now: () => Date;
  /** Display name of the person in `user`-role messages, when set (else the userId). */
  userName?: string | undefined;
  /** Trusted sources (undefined = `["user"]`). */
  trustedSources?: SourceRole[] | undefined;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * DEFAULT_OPTIONS.recall.weights.dense; // 0.8
 * DEFAULT_OPTIONS.tenant; // "default"
 * ```
 */
export const DEFAULT_OPTIONS = {
  tenant: "default",
  maxMessageChars: 100_000,
  maxBatchMessages: 10_000,
  dedupWindowSeconds: 60,
  recall: {
    weights: { lexical: 1.0, dense: 0.8, graph: 0.5, temporal: 0.7, segment: 0.5 },
    rrfK: 30,
    channelDepth: 60,
    episodeShare: 0.35,
    halfLifeDays: 60,
    decayWeight: 0.15,
  },
} as const satisfies Omit<ResolvedOptions, "path" | "now">;

const weightsSchema = z.strictObject({
  lexical: z.number().min(0).max(10).optional(),
  dense: z.number().min(0).max(10).optional(),
  graph: z.number().min(0).max(10).optional(),
  temporal: z.number().min(0).max(10).optional(),
  segment: z.number().min(0).max(10).optional(),
});

/**
 * Strict schema of the plain-data part of {@link MnemoOptions}.
 *
 * @example
 * ```ts
 * optionsSchema.parse({ path: "mnemo.db", tenant: "acme", recall: { rrfK: 60 } });
 * optionsSchema.safeParse({ colour: "red" }).success; // false (strict)
 * ```
 */
export const optionsSchema = z.strictObject({
  path: z.string().min(1).optional(),
  store: z.custom<Store>((v) => typeof v === "object" && v !== null && "commit" in v).optional(),
  tenant: z.string().min(1).max(200).optional(),
  embedder: z.custom<Embedder>((v) => typeof v === "object" && v !== null && "embed" in v).optional(),
  extractor: z.custom<Extractor>((v) => typeof v === "object" && v !== null && "extract" in v).optional(),
  llm: z.custom<LLM>((v) => typeof v === "object" && v !== null && "complete" in v).optional(),
  maxMessageChars: z.number().int().min(1).max(10_000_000).optional(),
  maxBatchMessages: z.number().int().min(1).max(1_000_000).optional(),
  dedupWindowSeconds: z.number().min(0).max(365 * 86_400).optional(),
  recall: z
    .strictObject({
      weights: weightsSchema.optional(),
      rrfK: z.number().min(1).max(1000).optional(),
      channelDepth: z.number().int().min(1).max(1000).optional(),
      episodeShare: z.number().min(0).max(1).optional(),
      halfLifeDays: z.number().min(0.01).max(100_000).optional(),
      decayWeight: z.number().min(0).max(1).optional(),
    })
    .optional(),
  now: z.custom<() => Date>((v) => typeof v === "function").optional(),
  userName: z.string().trim().min(1).max(200).optional(),
  cacheBytes: z.number().int().min(0).optional(),
  trustedSources: z.array(z.enum(SOURCE_ROLES)).min(1).optional(),
});

/**
 * Validates options and applies defaults. Unknown keys are an INVALID_CONFIG error.
 *
 * @example
 * ```ts
 * resolveOptions({ tenant: "acme" }).recall.rrfK; // 60
 * ```
 */
export function resolveOptions(options: MnemoOptions = {}): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MnemoError("INVALID_CONFIG", `${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`);
  }
  const o = parsed.data;
  const w = o.recall?.weights ?? {};
  const stripUndef = <T extends object>(x: T): Partial<T> => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  const { weights: _w, ...restRecall } = o.recall ?? {};
  return {
    path: o.path ?? null,
    tenant: o.tenant ?? DEFAULT_OPTIONS.tenant,
    maxMessageChars: o.maxMessageChars ?? DEFAULT_OPTIONS.maxMessageChars,
    maxBatchMessages: o.maxBatchMessages ?? DEFAULT_OPTIONS.maxBatchMessages,
    dedupWindowSeconds: o.dedupWindowSeconds ?? DEFAULT_OPTIONS.dedupWindowSeconds,
    recall: {
      ...DEFAULT_OPTIONS.recall,
      ...stripUndef(restRecall),
      weights: { ...DEFAULT_OPTIONS.recall.weights, ...stripUndef(w) },
    },
    now: o.now ?? (() => new Date()),
    ...(o.userName !== undefined ? { userName: o.userName } : {}),
    ...(o.trustedSources ? { trustedSources: o.trustedSources } : {}),
  };
}
