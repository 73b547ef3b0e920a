/**
 * Mnemo — long-term memory for LLM agents.
 *
 * @example
 * ```ts
 * import { Mnemo } from "mnemo-memory";
 * const mnemo = await Mnemo.open();
 * ```
 */
export { Mnemo, defaultDbPath } from "./mnemo.js";
export { MnemoError, ERROR_TABLE, isMnemoError, type ErrorCode } from "./core/errors.js";
export { DEFAULT_OPTIONS, resolveOptions, type MnemoOptions, type ResolvedOptions, type ChannelWeights, type RecallTuning } from "./core/options.js";
export * from "./core/types.js";
export type { RecallOptions } from "./recall/recall.js";
export type { MemoryPatch } from "./lifecycle/forget.js";
export { ADDABLE_KINDS, type AddMemoryInput } from "./lifecycle/add.js";
export type { Store, ScopeKey, WriteBatch, MemoryFilter, Page, TextHit, VectorMatrix, VectorRow, TargetType } from "./store/types.js";
export { SqliteStore } from "./store/sqlite/index.js";
export { PostgresStore } from "./store/postgres/index.js";
export { openStore } from "./store/open.js";
export type { Embedder } from "./providers/embeddings/types.js";
export { HashingEmbedder, OpenAIEmbedder, LocalTransformerEmbedder, WordVectorEmbedder, defaultEmbedder, createEmbedder } from "./providers/embeddings/index.js";
export type { LLM, ChatMessage, Completion, CompletionOptions } from "./providers/llm/types.js";
export { openAICompatible, anthropic, createLLM } from "./providers/llm/index.js";
export type { Extractor, CandidateMemory, ExtractionContext, EntityMention } from "./ingest/extract/types.js";
export { OfflineExtractor, type OfflineExtractorOptions } from "./ingest/extract/offline.js";
export { fillerProbability, type FillerModel } from "./ingest/extract/filler-model.js";
export { FILLER_MODEL } from "./ingest/extract/filler-weights.js";
export type { RememberScope } from "./ingest/remember.js";
export { LLMExtractor } from "./ingest/extract/llm.js";
export { parseLocomo, readLocomo, rememberConversation, type LocomoConversation, type LocomoSession } from "./importers/locomo.js";
