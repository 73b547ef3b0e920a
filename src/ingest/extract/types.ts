import type { Entity, EntityType, Episode, MemoryKind, Scope, SensitivityCategory, SourceRole, TrustLevel } from "../../core/types.js";

/**
 * An entity mention found by an extractor.
 *
 * @example
 * ```ts
 * const e: EntityMention = { name: "Boston", type: "place" };
 * ```
 */
export interface EntityMention {
  name: string;
  type: EntityType;
}

/**
 * A memory proposed by an extractor, before consolidation decides to add,
 * update, invalidate or drop it.
 *
 * @example
 * ```ts
 * const c: CandidateMemory = { kind: "fact", text: "Caroline lives in Boston.", subject: "Caroline", slot: "caroline|lives_in", validFrom: null,
 *   sources: ["ep_1"], entities: [{ name: "Boston", type: "place" }], importance: 0.6, confidence: 0.8 };
 * ```
 */
export interface CandidateMemory {
  kind: MemoryKind;
  /** Self-contained text in the third person ("Caroline went to ..."), dates resolved. */
  text: string;
  /** The entity the memory is about (usually the speaker). */
  subject: string | null;
  /** "subject|attribute" for single-valued facts (where someone lives, works, ...), else null. */
  slot: string | null;
  /** The slot's value, lower-cased ("boston"): a new value invalidates, the same one does not. */
  slotValue?: string | null | undefined;
  /** Event time (ISO) when known. */
  validFrom: string | null;
  /** Ids of the episodes it came from; never empty. */
  sources: string[];
  entities: EntityMention[];
  importance: number;
  confidence: number;
  /** Provenance, stamped by the guard from the first source episode (see src/guard/ingest.ts). */
  source?: SourceRole | undefined;
  trust?: TrustLevel | undefined;
  /** Sensitive categories; an LLM extractor may set them, the guard adds the lexicon's. */
  sensitivity?: SensitivityCategory[] | undefined;
  /**
   * True for a line judged not worth a memory whose entity mentions still count: its names
   * are resolved (an alias such as "Mel" learned from "Totally agree, Mel.") but no memory
   * is stored.
   */
  mentionOnly?: boolean | undefined;
}

/**
 * What an extractor knows besides the episodes.
 *
 * @example
 * ```ts
 * const xc: ExtractionContext = { scope: { tenant: "default", userId: "alice" }, knownEntities: [], previous: [] };
 * ```
 */
export interface ExtractionContext {
  scope: Scope;
  /** Entities already known in the scope (for alias resolution). */
  knownEntities: Entity[];
  /** Episodes just before the batch (same session), for context; not to be extracted from. */
  previous: Episode[];
  /** Display name of the scope's person: who "I" is in a `user` turn (default: the userId). */
  userName?: string | undefined;
}

/**
 * Distils episodes into candidate memories. The offline default uses rules and
 * NLP (compromise, chrono-node); the LLM extractor asks a chat model.
 *
 * @example
 * ```ts
 * const candidates = await new OfflineExtractor().extract(episodes, { scope, knownEntities: [], previous: [] });
 * ```
 */
export interface Extractor {
  readonly id: string;
  extract(episodes: Episode[], context: ExtractionContext): Promise<CandidateMemory[]>;
}
