/** Small display helpers. */

/** "2 Apr 2024, 10:00" in UTC (the store's time zone). */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "2 April 2024" for a YYYY-MM-DD day. */
export function dayLabel(day: string): string {
  const d = new Date(day + "T00:00:00Z");
  return d.toLocaleDateString("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "long", year: "numeric" });
}

/** A score with 4 decimals. */
export function num(x: number, digits = 4): string {
  return x.toFixed(digits);
}
