/** Hash routing: `#/users`, `#/u/<user>/memories`, `#/u/<user>/m/<id>`, … (works offline, no server routes). */
import { useEffect, useState } from "preact/hooks";

/**
 * The route of a location hash, as decoded path segments.
 *
 * @example
 * ```ts
 * parseHash("#/u/alice/m/mem_1"); // ["u", "alice", "m", "mem_1"]
 * ```
 */
export function parseHash(hash: string): string[] {
  return hash
    .replace(/^#\/?/, "")
    .split("?")[0]!
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
}

/**
 * A hash link from path segments (each encoded).
 *
 * @example
 * ```ts
 * href("u", "alice", "memories"); // "#/u/alice/memories"
 * ```
 */
export function href(...parts: string[]): string {
  return "#/" + parts.map((p) => encodeURIComponent(p)).join("/");
}

/**
 * Goes to a route.
 *
 * @example
 * ```ts
 * navigate("users");
 * ```
 */
export function navigate(...parts: string[]): void {
  location.hash = href(...parts).slice(1);
}

/**
 * The current route, updated on hashchange (a Preact hook).
 *
 * @example
 * ```ts
 * const [head, user] = useRoute();
 * ```
 */
export function useRoute(): string[] {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}
