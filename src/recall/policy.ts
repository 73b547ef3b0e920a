import { MnemoError } from "../core/errors.js";
import type { Episode, Memory, SensitivityCategory, Withheld } from "../core/types.js";
import { SENSITIVITY_CATEGORIES } from "../core/types.js";
import { queryCategories } from "../guard/sensitivity.js";


/**
 * Recall policies for sensitive memories (contextual integrity): `exclude` leaves every
 * sensitive line out, `relevant` (the default) only lets through lines with a
 * category the question is about ("What medication am I on?" → health), `include` lets
 * everything through.
 *
 * @example
 * ```ts
 * SENSITIVE_POLICIES.includes("relevant"); // true
 * ```
 */
export const SENSITIVE_POLICIES = ["exclude", "relevant", "include"] as const;
/**
 * A sensitive-recall policy. See {@link SENSITIVE_POLICIES}.
 *
 * @example
 * ```ts
 * const p: SensitivePolicy = "exclude";
 * ```
 */
export type SensitivePolicy = (typeof SENSITIVE_POLICIES)[number];

/**
 * Whether a question is aimed at an item: it shares at least {@link AIMED_AT.min} of the
 * question's content terms (names left out) and at least {@link AIMED_AT.share} of them.
 * "When did Melanie run a charity race?" is aimed at "Melanie ran a charity race for mental
 * health"; "Draft an email to my landlord" is not aimed at "My landlord knows about my debt".
 *
 * @example
 * ```ts
 * aimedAt(["run", "chariti", "race"], new Set(["melani", "ran", "run", "chariti", "race", "mental", "health"])); // true
 * ```
 */
export function aimedAt(focus: readonly string[], itemTerms: ReadonlySet<string>): boolean {
  if (focus.length === 0) return false;
  let n = 0;
  for (const t of focus) if (itemTerms.has(t)) n++;
  return n >= AIMED_AT.min && n >= AIMED_AT.share * focus.length;
}

/**
 * Thresholds of {@link aimedAt}.
 *
 * @example
 * ```ts
 * AIMED_AT; // { min: 2, share: 0.5 }
 * ```
 */
export const AIMED_AT = { min: 2, share: 0.5 } as const;

/**
 * What the policy says about one memory or episode.
 *
 * @example
 * ```ts
 * const v: Verdict = "sensitive"; // left out, counted in `withheld`
 * ```
 */
export type Verdict = "ok" | "sensitive" | "quarantined";

/**
 * The guard part of a recall: which memories and episodes may enter the context, and what
 * was withheld (counts and categories only). Items are counted as withheld when they were
 * left out and share a content term with the question (they would have competed).
 *
 * @example
 * ```ts
 * const policy = new RecallPolicy("Plan a team lunch", { sensitive: "relevant" });
 * policy.verdict({ sensitivity: ["health"] }); // "sensitive"
 * ```
 */
export class RecallPolicy {
  readonly mode: SensitivePolicy;
  readonly includeQuarantined: boolean;
  /** Categories the question is about (allowed under `relevant`). */
  readonly asked: ReadonlySet<SensitivityCategory>;
  private readonly withheldKeys = new Map<string, { verdict: Verdict; categories: SensitivityCategory[] }>();

  constructor(query: string, options: { sensitive?: SensitivePolicy | undefined; includeQuarantined?: boolean | undefined }) {
    const mode = options.sensitive ?? "relevant";
    if (!SENSITIVE_POLICIES.includes(mode)) throw new MnemoError("INVALID_INPUT", `sensitive must be one of ${SENSITIVE_POLICIES.join(", ")}.`);
    this.mode = mode;
    this.includeQuarantined = options.includeQuarantined === true;
    this.asked = new Set(mode === "relevant" ? queryCategories(query) : []);
  }

  /**
   * Whether an item may be recalled.
   *
   * @example
   * ```ts
   * new RecallPolicy("What medication am I on?", {}).verdict({ sensitivity: ["health"] }); // "ok"
   * ```
   */
  verdict(item: Pick<Episode, "quarantine" | "sensitivity"> | Pick<Memory, "sensitivity">, aimedAt = false): Verdict {
    if ("quarantine" in item && item.quarantine && !this.includeQuarantined) return "quarantined";
    const cats = item.sensitivity ?? [];
    if (cats.length === 0 || this.mode === "include") return "ok";
    if (this.mode === "exclude") return "sensitive";
    // A question aimed at this very item ("When did Melanie run the charity race?" for a race
    // for mental health) is about it, whatever its category.
    if (aimedAt && !cats.includes("credentials")) return "ok";
    // The question must be about one of the item's categories. A credential's value is redacted
    // at ingest: "credentials" alone needs a question about credentials, but never holds back
    // a line that is relevant through another category.
    const rest = cats.filter((c) => c !== "credentials");
    if (rest.length === 0) return this.asked.has("credentials") ? "ok" : "sensitive";
    return rest.some((c) => this.asked.has(c)) ? "ok" : "sensitive";
  }

  /**
   * Records an item left out by {@link verdict} (call only for items that matched the query).
   *
   * @example
   * ```ts
   * policy.withhold("m:mem_1", "sensitive", ["health"]);
   * ```
   */
  withhold(key: string, verdict: Verdict, categories: SensitivityCategory[]): void {
    if (verdict !== "ok") this.withheldKeys.set(key, { verdict, categories });
  }

  /**
   * What was withheld: counts and categories, never the text.
   *
   * @example
   * ```ts
   * policy.withheld(); // { sensitive: 2, categories: ["health"], quarantined: 0 }
   * ```
   */
  withheld(): Withheld {
    let sensitive = 0;
    let quarantined = 0;
    const cats = new Set<SensitivityCategory>();
    for (const w of this.withheldKeys.values()) {
      if (w.verdict === "quarantined") quarantined++;
      else {
        sensitive++;
        for (const c of w.categories) cats.add(c);
      }
    }
    return { sensitive, categories: SENSITIVITY_CATEGORIES.filter((c) => cats.has(c)), quarantined };
  }
}
