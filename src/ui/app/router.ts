/** Hash routing: `#/users`, `#/u/<user>/memories`, `#/u/<user>/m/<id>`, … (works offline, no server routes). */
import { useEffect, useState } from "preact/hooks";

/** The current route as path segments (decoded). */
export function parseHash(hash: string): string[] {
  return hash
    .replace(/^#\/?/, "")
    .split("?")[0]!
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
}

/** Builds a hash link from segments. */
export function href(...parts: string[]): string {
  return "#/" + parts.map((p) => encodeURIComponent(p)).join("/");
}

/** Goes to a route. */
export function navigate(...parts: string[]): void {
  location.hash = href(...parts).slice(1);
}

/** The current route, updated on hashchange. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}
