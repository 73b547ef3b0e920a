/** A user's memories: search and filters (kind, status, observed days, source role and sensitivity where present). */
import { useState } from "preact/hooks";
import { api, qs, seg } from "../api.js";
import { ErrorBox, KindBadge, Loading, Provenance, StatusBadge, useLoad } from "../components.js";
import { when } from "../format.js";
import { href } from "../router.js";
import type { MemorySearch } from "../types.js";

const KINDS = ["fact", "event", "preference", "profile", "instruction", "summary"];

interface Filters {
  q: string;
  kind: string;
  status: string;
  from: string;
  to: string;
  role: string;
  sensitivity: string;
}

const EMPTY: Filters = { q: "", kind: "", status: "valid", from: "", to: "", role: "", sensitivity: "" };

/**
 * A user's memories with search and filters.
 *
 * @example
 * ```tsx
 * <Memories user="alice" />
 * ```
 */
export function Memories({ user }: { user: string }) {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [limit, setLimit] = useState(50);
  const [data, error] = useLoad(
    () => api<MemorySearch>("GET", `/v1/inspect/users/${seg(user)}/memories${qs({ ...filters, limit })}`),
    [user, JSON.stringify(filters), limit],
  );
  const set = (k: keyof Filters) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setLimit(50);
  };
  const f = data?.facets;
  const count = (rec: Record<string, number> | undefined, k: string) => (rec?.[k] !== undefined ? ` (${rec[k]})` : "");
  return (
    <section aria-labelledby="mem-title">
      <h1 id="mem-title">Memories</h1>
      <form class="filters" role="search" aria-label="Filter memories" onSubmit={(e) => e.preventDefault()}>
        <label class="field grow">
          Search
          <input type="search" name="q" value={filters.q} onInput={set("q")} placeholder="words in the text or subject" />
        </label>
        <label class="field">
          Kind
          <select name="kind" value={filters.kind} onChange={set("kind")}>
            <option value="">all kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
                {count(f?.kinds, k)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          Status
          <select name="status" value={filters.status} onChange={set("status")}>
            <option value="valid">valid{count(f?.statuses, "valid")}</option>
            <option value="invalidated">invalidated{count(f?.statuses, "invalidated")}</option>
            <option value="forgotten">forgotten{count(f?.statuses, "forgotten")}</option>
            <option value="all">all</option>
          </select>
        </label>
        <label class="field">
          From
          <input type="date" name="from" value={filters.from} onInput={set("from")} />
        </label>
        <label class="field">
          To
          <input type="date" name="to" value={filters.to} onInput={set("to")} />
        </label>
        {f && Object.keys(f.roles).length > 0 ? (
          <label class="field">
            Source role
            <select name="role" value={filters.role} onChange={set("role")}>
              <option value="">any</option>
              {Object.entries(f.roles).map(([r, n]) => (
                <option key={r} value={r}>
                  {r} ({n})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {f && Object.keys(f.sensitivities).length > 0 ? (
          <label class="field">
            Sensitivity
            <select name="sensitivity" value={filters.sensitivity} onChange={set("sensitivity")}>
              <option value="">any</option>
              {Object.entries(f.sensitivities).map(([r, n]) => (
                <option key={r} value={r}>
                  {r} ({n})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" class="ghost" onClick={() => setFilters(EMPTY)}>
          Reset
        </button>
      </form>
      <ErrorBox error={error} />
      {!data && !error ? <Loading /> : null}
      {data ? (
        <>
          <p class="muted" role="status" aria-live="polite">
            {data.total} {data.total === 1 ? "memory" : "memories"} match
          </p>
          <ul class="memlist">
            {data.items.map((m) => (
              <li key={m.id} class={`mem status-${m.status}`}>
                <div class="meta">
                  <KindBadge kind={m.kind} /> <StatusBadge status={m.status} />
                  <Provenance source={m.source} trust={m.trust} sensitivity={m.sensitivity} />
                  <span class="muted small">{when(m.observedAt)}</span>
                  <span class="muted small">v{m.version}</span>
                </div>
                <a class="memtext" href={href("u", user, "m", m.id)}>
                  {m.text}
                </a>
              </li>
            ))}
          </ul>
          {data.nextCursor ? (
            <button type="button" onClick={() => setLimit(limit + 50)}>
              Show more
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
