import { newId } from "../core/ids.js";
import { termList } from "../core/text.js";
import type { Memory, MemoryVersion, Scope } from "../core/types.js";
import type { MemoryIndex } from "./memory-index.js";
import type { CandidateMemory } from "./extract/types.js";
import { mayAffect, mayInvalidate } from "../guard/ingest.js";

/**
 * Thresholds of consolidation (Jaccard similarity of stemmed content terms).
 *
 * @example
 * ```ts
 * if (bestSim >= CONSOLIDATION.duplicate) strength += CONSOLIDATION.reinforce; // 0.8, +1
 * ```
 */
export const CONSOLIDATION = {
  /** At or above: the same memory said again → NOOP, reinforce. */
  duplicate: 0.8,
  /** At or above, with the old terms contained in the new: a refinement → UPDATE. */
  refine: 0.5,
  /** Share of the old memory's terms the new one must contain to count as a refinement. */
  containment: 0.9,
  /** Strength added by a repetition. */
  reinforce: 1,
} as const;

/**
 * The decision taken for one candidate.
 *
 * @example
 * ```ts
 * const d: Decision = "update";
 * ```
 */
export type Decision = "add" | "update" | "invalidate" | "noop";

/**
 * What consolidation produced: rows to upsert and counts.
 *
 * @example
 * ```ts
 * const out: Consolidated = await consolidate({ index, scope, candidates, entityIds, episodes, now });
 * console.log(out.counts.added, out.textChanged.size);
 * ```
 */
export interface Consolidated {
  memories: Map<string, Memory>;
  history: MemoryVersion[];
  counts: { added: number; updated: number; invalidated: number; unchanged: number };
  decisions: Array<{ decision: Decision; memoryId: string }>;
  /** Ids of memories whose text is new or changed (they need a new vector). */
  textChanged: Set<string>;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n / (a.size + b.size - n);
}

function containment(inner: Set<string>, outer: Set<string>): number {
  if (inner.size === 0) return 1;
  let n = 0;
  for (const x of inner) if (outer.has(x)) n++;
  return n / inner.size;
}

function slotValue(m: { text: string }): string {
  return termList(m.text).join(" ");
}

/**
 * Input of {@link consolidate}.
 *
 * @example
 * ```ts
 * const input: ConsolidateInput = { index, scope, candidates, entityIds: candidates.map(() => []), episodes: new Map(), now: new Date().toISOString() };
 * ```
 */
export interface ConsolidateInput {
  index: MemoryIndex;
  scope: Scope;
  candidates: CandidateMemory[];
  /** Entity ids per candidate (same order). */
  entityIds: string[][];
  /** Episode id → segment id and occurredAt. */
  episodes: Map<string, { segmentId: string | null; occurredAt: string }>;
  now: string;
}

/**
 * Consolidates candidates against the scope's memories (Mem0-style operations, decided by
 * rules here): ADD a new memory; NOOP when it is a near-duplicate (strength reinforced,
 * provenance widened); UPDATE when it refines an existing memory (old text kept in
 * history); INVALIDATE a single-valued fact contradicted by a new value for the same slot
 * (validTo and invalidatedAt set; still answerable "as of" earlier) and add the new one.
 *
 * @example
 * ```ts
 * const out = await consolidate({ index, scope, candidates, entityIds, episodes, now });
 * ```
 */
export async function consolidate(input: ConsolidateInput): Promise<Consolidated> {
  const { scope, candidates, now } = input;
  const out: Consolidated = { memories: new Map(), history: [], counts: { added: 0, updated: 0, invalidated: 0, unchanged: 0 }, decisions: [], textChanged: new Set() };
  const index = input.index;
  const termsOf = (m: Memory) => index.termsOf(m);

  const record = (m: Memory, op: MemoryVersion["op"], reason: string | null) => {
    out.memories.set(m.id, m);
    index.put(m);
    out.history.push({ memoryId: m.id, version: m.version, op, text: m.text, validFrom: m.validFrom, validTo: m.validTo, sources: [...m.sources], at: now, reason });
  };

  // The rows the candidates will compare with, in one store read (the index keeps ids).
  await index.prefetch(candidates);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const cTerms = new Set(termList(c.text));
    const observedAt = c.sources.map((s) => input.episodes.get(s)?.occurredAt ?? now).sort().at(-1) ?? now;
    const segmentIds = [...new Set(c.sources.map((s) => input.episodes.get(s)?.segmentId).filter((s): s is string => !!s))];

    // 1. Near-duplicates and refinements among memories sharing rare terms.
    const pool = await index.similar(cTerms);
    let best: Memory | null = null;
    let bestSim = 0;
    for (const m of pool) {
      if (m.invalidatedAt || m.forgottenAt || m.kind === "summary") continue;
      if ((m.subject ?? "") !== (c.subject ?? "")) continue;
      if (!mayAffect(m, c)) continue;
      const sim = jaccard(cTerms, termsOf(m));
      if (sim > bestSim) (bestSim = sim), (best = m);
    }
    if (best && bestSim >= CONSOLIDATION.duplicate) {
      const m: Memory = {
        ...best,
        sources: [...new Set([...best.sources, ...c.sources])],
        segmentIds: [...new Set([...best.segmentIds, ...segmentIds])],
        entityIds: [...new Set([...best.entityIds, ...input.entityIds[i]!])],
        strength: best.strength + CONSOLIDATION.reinforce,
      };
      record(m, "reinforce", `repeated (similarity ${bestSim.toFixed(2)})`);
      out.counts.unchanged++;
      out.decisions.push({ decision: "noop", memoryId: m.id });
      continue;
    }
    if (best && bestSim >= CONSOLIDATION.refine && containment(termsOf(best), cTerms) >= CONSOLIDATION.containment && cTerms.size > termsOf(best).size) {
      const m: Memory = {
        ...best,
        text: c.text,
        kind: c.kind,
        version: best.version + 1,
        sources: [...new Set([...best.sources, ...c.sources])],
        segmentIds: [...new Set([...best.segmentIds, ...segmentIds])],
        entityIds: [...new Set([...best.entityIds, ...input.entityIds[i]!])],
        validFrom: c.validFrom ?? best.validFrom,
        importance: Math.max(best.importance, c.importance),
      };
      record(m, "update", `refined (similarity ${bestSim.toFixed(2)})`);
      out.textChanged.add(m.id);
      out.counts.updated++;
      out.decisions.push({ decision: "update", memoryId: m.id });
      continue;
    }

    // 2. Contradictions of single-valued slots.
    let decision: Decision = "add";
    if (c.slot) {
      for (const cur of await index.bySlot(c.slot)) {
        // Compare like with like: the stored values when both have one, else the texts.
        const both = typeof cur.metadata.slotValue === "string" && !!c.slotValue;
        if (both ? cur.metadata.slotValue === c.slotValue : slotValue({ text: cur.text }) === slotValue({ text: c.text })) continue;
        if (!mayInvalidate(cur, c)) continue;
        const inv: Memory = { ...cur, validTo: c.validFrom ?? observedAt, invalidatedAt: now, version: cur.version + 1 };
        record(inv, "invalidate", `contradicted: ${c.text}`);
        out.counts.invalidated++;
        decision = "invalidate";
      }
    }

    // 3. Add.
    const m: Memory = {
      id: newId("mem", scope),
      tenant: scope.tenant,
      userId: scope.userId,
      agentId: scope.agentId ?? null,
      kind: c.kind,
      text: c.text,
      subject: c.subject,
      slot: c.slot,
      validFrom: c.validFrom,
      validTo: null,
      observedAt,
      recordedAt: now,
      invalidatedAt: null,
      confidence: c.confidence,
      importance: c.importance,
      strength: 1,
      lastAccessedAt: observedAt,
      accessCount: 0,
      sources: [...new Set(c.sources)],
      entityIds: [...new Set(input.entityIds[i]!)],
      segmentIds,
      version: 1,
      forgottenAt: null,
      expiresAt: null,
      metadata: c.slot && c.slotValue ? { slotValue: c.slotValue } : {},
      source: c.source,
      trust: c.trust,
      sensitivity: c.sensitivity,
    };
    record(m, "add", null);
    out.textChanged.add(m.id);
    out.counts.added++;
    out.decisions.push({ decision, memoryId: m.id });
  }
  return out;
}
