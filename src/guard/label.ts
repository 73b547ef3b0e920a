import type { Episode, Memory, RecallResult } from "../core/types.js";
import { provenanceOf } from "./provenance.js";

/**
 * The marker a context line carries when its source is not trusted, so that the model
 * reading the context can tell a user's fact from a tool's claim: "[tool] " before a
 * memory, " [tool]" after an episode's speaker (left out when the speaker already is the
 * role, as in `- assistant: "…"`), and "quarantined" for a quarantined episode recalled
 * with `includeQuarantined`. Trusted lines carry nothing (no extra tokens).
 *
 * @example
 * ```ts
 * provenanceTag({ source: "tool", trust: "untrusted" } as Memory); // "[tool] "
 * provenanceTag({ speaker: "assistant", source: "assistant", trust: "untrusted" } as Episode); // ""
 * ```
 */
export function provenanceTag(r: Memory | Episode): string {
  const { source, trust } = provenanceOf(r);
  const quarantined = "quarantine" in r && !!r.quarantine;
  if (trust === "trusted" && !quarantined) return "";
  const label = quarantined ? `${source}, quarantined` : source;
  if ("speaker" in r) return r.speaker.toLowerCase() === source && !quarantined ? "" : ` [${label}]`;
  // A memory that already opens with its source ("assistant: …", "The assistant …") needs no marker.
  return !quarantined && new RegExp(`^(?:the\\s+)?${source}\\b`, "i").test(r.text) ? "" : `[${label}] `;
}

/**
 * The provenance fields of a recall result (defaults for rows older than provenance).
 *
 * @example
 * ```ts
 * resultProvenance(memory); // { source: "user", trust: "trusted", sensitivity: [] }
 * ```
 */
export function resultProvenance(r: Memory | Episode): Pick<RecallResult, "source" | "trust" | "sensitivity" | "quarantined"> {
  const out: Pick<RecallResult, "source" | "trust" | "sensitivity" | "quarantined"> = { ...provenanceOf(r), sensitivity: r.sensitivity ?? [] };
  if ("quarantine" in r && r.quarantine) out.quarantined = true;
  return out;
}
