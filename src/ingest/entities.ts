import { stableId } from "../core/ids.js";
import type { Entity, Scope } from "../core/types.js";
import type { CandidateMemory, EntityMention } from "./extract/types.js";

/**
 * Resolves mentions to the scope's entities, merging aliases: a person mention that is a
 * prefix of exactly one known person's name ("Mel" → "Melanie"), or whose first name
 * matches one ("Caroline Smith" → "Caroline"), joins that entity as an alias.
 * Returns the lookup and the entities that changed (new ones included).
 *
 * @example
 * ```ts
 * const r = new EntityResolver(scope, known); const e = r.resolve({ name: "Mel", type: "person" });
 * ```
 */
export class EntityResolver {
  private readonly byName = new Map<string, Entity>();
  private readonly changed = new Map<string, Entity>();

  constructor(
    private readonly scope: Scope,
    known: Entity[],
  ) {
    for (const e of known) this.index({ ...e, aliases: [...e.aliases] });
  }

  private index(e: Entity): void {
    for (const n of [e.name, ...e.aliases]) this.byName.set(n.toLowerCase(), e);
  }

  /** Every entity known now. */
  all(): Entity[] {
    return [...new Set(this.byName.values())];
  }

  /**
   * Resolves the names of the candidates marked `mentionOnly` (lines judged not worth a
   * memory still teach the names they use) and returns the others, the ones to store.
   *
   * @example
   * ```ts
   * candidates = resolver.learnNames(candidates); // "Totally agree, Mel." makes "Mel" an alias, stores nothing
   * ```
   */
  learnNames(candidates: CandidateMemory[]): CandidateMemory[] {
    for (const c of candidates) if (c.mentionOnly) for (const m of c.entities) this.resolve(m);
    return candidates.filter((c) => !c.mentionOnly);
  }

  /** Entities created or changed since construction. */
  changes(): Entity[] {
    return [...this.changed.values()];
  }

  private aliasTarget(name: string, type: Entity["type"]): Entity | undefined {
    if (type !== "person") return undefined;
    const lower = name.toLowerCase();
    const people = this.all().filter((e) => e.type === "person");
    const prefixOf = people.filter((e) => lower.length >= 3 && e.name.toLowerCase().startsWith(lower) && e.name.length > name.length);
    if (prefixOf.length === 1) return prefixOf[0];
    const first = lower.split(/\s+/)[0]!;
    if (first !== lower) {
      const byFirst = people.filter((e) => e.name.toLowerCase() === first);
      if (byFirst.length === 1) return byFirst[0];
    }
    const extends_ = people.filter((e) => e.name.length >= 3 && lower.startsWith(e.name.toLowerCase()) && !lower.includes(" "));
    if (extends_.length === 1) return extends_[0];
    return undefined;
  }

  /** The entity for a mention, created or aliased as needed. */
  resolve(m: EntityMention): Entity {
    const lower = m.name.toLowerCase();
    let e = this.byName.get(lower);
    if (!e) {
      const target = this.aliasTarget(m.name, m.type);
      if (target) {
        // The longer form is the name ("Mel" then "Melanie" → Melanie, alias Mel).
        if (m.name.length > target.name.length && m.name.toLowerCase().startsWith(target.name.toLowerCase()) && !m.name.includes(" ")) {
          target.aliases.push(target.name);
          target.name = m.name;
        } else target.aliases.push(m.name);
        e = target;
      } else {
        e = { id: stableId("ent", this.scope.tenant, this.scope.userId, lower), tenant: this.scope.tenant, userId: this.scope.userId, name: m.name, type: m.type, aliases: [], mentionCount: 0 };
      }
      this.index(e);
    }
    e.mentionCount += 1;
    this.changed.set(e.id, e);
    return e;
  }
}
