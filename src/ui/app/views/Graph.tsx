/** The entity graph: people, places, organisations… as an SVG force layout; selecting one shows its memories. */
import { useMemo, useState } from "preact/hooks";
import { api, seg } from "../api.js";
import { ErrorBox, KindBadge, Loading, useLoad } from "../components.js";
import { forceLayout } from "../layout.js";
import { href } from "../router.js";
import type { Graph, GraphEntity } from "../types.js";

const W = 760;
const H = 520;
const MAX_NODES = 80;

/**
 * The entity graph as an SVG force layout; selecting an entity shows its memories.
 *
 * @example
 * ```tsx
 * <GraphView user="alice" />
 * ```
 */
export function GraphView({ user }: { user: string }) {
  const [data, error] = useLoad(() => api<Graph>("GET", `/v1/inspect/users/${seg(user)}/graph`), [user]);
  const [selected, setSelected] = useState<string | null>(null);
  const view = useMemo(() => {
    if (!data) return null;
    const shown = [...data.entities].sort((a, b) => b.memoryIds.length - a.memoryIds.length || b.mentionCount - a.mentionCount || a.name.localeCompare(b.name)).slice(0, MAX_NODES);
    const ids = new Set(shown.map((e) => e.id));
    const edges = data.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
    const radius = (e: GraphEntity) => 7 + Math.min(18, Math.sqrt(e.memoryIds.length) * 4);
    const placed = forceLayout(shown.map((e) => ({ id: e.id, r: radius(e) })), edges, W, H);
    const pos = new Map(placed.map((p) => [p.id, p]));
    return { shown, edges, pos, hidden: data.entities.length - shown.length };
  }, [data]);
  if (error) return <ErrorBox error={error} />;
  if (!data || !view) return <Loading />;
  const memById = new Map(data.memories.map((m) => [m.id, m]));
  const sel = selected ? data.entities.find((e) => e.id === selected) ?? null : null;
  const selPos = sel ? view.pos.get(sel.id) : undefined;
  const selMems = sel ? sel.memoryIds.map((id) => memById.get(id)).filter((m) => m !== undefined) : [];
  const neighbours = new Set(sel ? view.edges.flatMap((e) => (e.source === sel.id ? [e.target] : e.target === sel.id ? [e.source] : [])) : []);
  return (
    <section aria-labelledby="graph-title">
      <h1 id="graph-title">Entity graph</h1>
      <p class="muted">
        {data.entities.length} entities, {data.memories.length} linked memories. A line joins two entities named in the same memory. Select an entity (click, or Tab
        then Enter) to see its memories.{view.hidden > 0 ? ` Showing the ${MAX_NODES} with the most memories.` : ""}
      </p>
      <ul class="legend" aria-label="Legend">
        {["person", "place", "organization", "object", "topic"].map((t) => (
          <li key={t}>
            <svg width="12" height="12" aria-hidden="true">
              <circle cx="6" cy="6" r="5" class={`node-${t}`} />
            </svg>{" "}
            {t}
          </li>
        ))}
      </ul>
      <div class="split graph-split">
        <svg class="graph" viewBox={`0 0 ${W} ${H}`} role="group" aria-label={`Entity graph of ${user}`}>
          <g class="edges" aria-hidden="true">
            {view.edges.map((e) => {
              const a = view.pos.get(e.source)!;
              const b = view.pos.get(e.target)!;
              const on = sel && (e.source === sel.id || e.target === sel.id);
              return <line key={e.source + e.target} x1={a.x} y1={a.y} x2={b.x} y2={b.y} class={on ? "edge on" : "edge"} stroke-width={Math.min(5, 0.8 + e.weight * 0.6)} />;
            })}
            {selPos
              ? selMems.slice(0, 24).map((m, i, arr) => {
                  const a = (2 * Math.PI * i) / arr.length;
                  const r = selPos.r + 34;
                  return <line key={"l" + m.id} x1={selPos.x} y1={selPos.y} x2={selPos.x + r * Math.cos(a)} y2={selPos.y + r * Math.sin(a)} class="edge mem" />;
                })
              : null}
          </g>
          {view.shown.map((e) => {
            const p = view.pos.get(e.id)!;
            const isSel = e.id === selected;
            const dim = sel && !isSel && !neighbours.has(e.id);
            return (
              <g
                key={e.id}
                class={`node${isSel ? " selected" : ""}${dim ? " dim" : ""}`}
                transform={`translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`}
                tabindex={0}
                role="button"
                aria-pressed={isSel}
                aria-label={`${e.name}, ${e.type}, ${e.memoryIds.length} memories`}
                onClick={() => setSelected(isSel ? null : e.id)}
                onKeyDown={(ev) => {
                  if (ev.key === "Enter" || ev.key === " ") {
                    ev.preventDefault();
                    setSelected(isSel ? null : e.id);
                  }
                }}
              >
                <circle r={p.r} class={`node-${e.type}`} />
                <text y={p.r + 13} text-anchor="middle">
                  {e.name}
                </text>
              </g>
            );
          })}
          {selPos
            ? selMems.slice(0, 24).map((m, i, arr) => {
                const a = (2 * Math.PI * i) / arr.length;
                const r = selPos.r + 34;
                return (
                  <a key={"m" + m.id} href={href("u", user, "m", m.id)} aria-label={`Memory: ${m.text}`}>
                    <circle cx={selPos.x + r * Math.cos(a)} cy={selPos.y + r * Math.sin(a)} r={5} class={`memdot kind-${m.kind}`}>
                      <title>{m.text}</title>
                    </circle>
                  </a>
                );
              })
            : null}
        </svg>
        <aside class="card panel" aria-live="polite" aria-label="Selected entity">
          {sel ? (
            <>
              <h2>
                {sel.name} <span class="muted small">{sel.type}</span>
              </h2>
              {sel.aliases.length ? <p class="muted small">also: {sel.aliases.join(", ")}</p> : null}
              <p class="muted small">
                {sel.mentionCount} mentions · {sel.memoryIds.length} memories
              </p>
              <ul class="memlist compact">
                {selMems.map((m) => (
                  <li key={m.id}>
                    <KindBadge kind={m.kind} /> <a href={href("u", user, "m", m.id)}>{m.text}</a>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <>
              <h2>Entities</h2>
              <ul class="entity-list">
                {view.shown.map((e) => (
                  <li key={e.id}>
                    <button type="button" class="link" onClick={() => setSelected(e.id)}>
                      {e.name}
                    </button>{" "}
                    <span class="muted small">
                      {e.type} · {e.memoryIds.length}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </aside>
      </div>
    </section>
  );
}
