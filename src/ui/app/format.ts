/** Small display helpers. */

/**
 * A UTC date and time ("2 Apr 2024, 10:00"), or "—".
 *
 * @example
 * ```ts
 * when("2024-04-02T10:00:00Z"); // "2 Apr 2024, 10:00"
 * ```
 */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/**
 * A long label for a YYYY-MM-DD day.
 *
 * @example
 * ```ts
 * dayLabel("2024-04-02"); // "Tue, 2 April 2024"
 * ```
 */
export function dayLabel(day: string): string {
  const d = new Date(day + "T00:00:00Z");
  return d.toLocaleDateString("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "long", year: "numeric" });
}

/**
 * A number with a fixed number of decimals (4 by default).
 *
 * @example
 * ```ts
 * num(0.123456); // "0.1235"
 * ```
 */
export function num(x: number, digits = 4): string {
  return x.toFixed(digits);
}
