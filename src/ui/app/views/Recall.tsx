/** The recall playground: query, budget, asOf → the context exactly as the model gets it, its tokens, and each result's channel scores. */
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { capabilities } from "../capabilities.js";
import { ErrorBox, KindBadge, Provenance, useLoad } from "../components.js";
import { num, when } from "../format.js";
import { href } from "../router.js";
import type { Recall } from "../types.js";

/**
 * The recall playground: the context exactly as the model gets it, its tokens, and each result's channel scores.
 *
 * @example
 * ```tsx
 * <RecallView user="alice" />
 * ```
 */
export function RecallView({ user }: { user: string }) {
  const [query, setQuery] = useState("");
  const [budget, setBudget] = useState("500");
  const [asOf, setAsOf] = useState("");
  const [cite, setCite] = useState(false);
  const [episodes, setEpisodes] = useState(true);
  const [sensitive, setSensitive] = useState("");
  const [quarantined, setQuarantined] = useState(false);
  const [caps] = useLoad(() => capabilities(), []);
  const [result, setResult] = useState<Recall | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const channels = result ? [...new Set(result.results.flatMap((r) => Object.keys(r.channels)))].sort() : [];
  return (
    <section aria-labelledby="recall-title">
      <h1 id="recall-title">Recall playground</h1>
      <form
        class="filters"
        aria-label="Recall"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const body: Record<string, unknown> = { userId: user, query, budgetTokens: Number(budget), includeEpisodes: episodes, citeSources: cite };
            if (asOf) body.asOf = new Date(asOf + "T23:59:59Z").toISOString();
            if (sensitive) body.sensitive = sensitive;
            if (quarantined) body.includeQuarantined = true;
            setResult(await api<Recall>("POST", "/v1/inspect/recall", body));
          } catch (err) {
            setError(err);
            setResult(null);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label class="field grow">
          Query
          <input name="query" value={query} required onInput={(e) => setQuery((e.target as HTMLInputElement).value)} placeholder="What does the user like to do?" />
        </label>
        <label class="field">
          Budget (tokens)
          <input name="budget" type="number" min="1" max="100000" value={budget} onInput={(e) => setBudget((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          As of (day)
          <input name="asOf" type="date" value={asOf} onInput={(e) => setAsOf((e.target as HTMLInputElement).value)} />
        </label>
        {caps?.recallSensitive ? (
          <label class="field">
            Sensitive memories
            <select name="sensitive" value={sensitive} onChange={(e) => setSensitive((e.target as HTMLSelectElement).value)}>
              <option value="">server default</option>
              {caps.recallSensitive.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {caps?.recallQuarantined ? (
          <label class="check">
            <input type="checkbox" checked={quarantined} onChange={(e) => setQuarantined((e.target as HTMLInputElement).checked)} /> quarantined
          </label>
        ) : null}
        <label class="check">
          <input type="checkbox" checked={episodes} onChange={(e) => setEpisodes((e.target as HTMLInputElement).checked)} /> verbatim snippets
        </label>
        <label class="check">
          <input type="checkbox" checked={cite} onChange={(e) => setCite((e.target as HTMLInputElement).checked)} /> cite sources
        </label>
        <button type="submit" class="primary" disabled={busy || query.trim() === ""}>
          {busy ? "Recalling…" : "Recall"}
        </button>
      </form>
      <ErrorBox error={error} />
      {result ? (
        <>
          <h2>
            Context <span class="muted small" data-testid="context-tokens">{result.contextTokens} tokens (cl100k) of {budget}</span>
          </h2>
          <pre class="context" aria-label="Context as the model gets it" tabIndex={0}>
            {result.context || "(empty: nothing relevant)"}
          </pre>
          {result.query.entities.length || result.query.timeRange ? (
            <p class="muted small">
              Query read as: {result.query.entities.length ? `entities ${result.query.entities.join(", ")}` : ""}
              {result.query.timeRange ? ` · time ${when(result.query.timeRange.from)} → ${when(result.query.timeRange.to)}` : ""}
            </p>
          ) : null}
          {result.withheld && ((result.withheld.sensitive ?? 0) > 0 || (result.withheld.quarantined ?? 0) > 0) ? (
            <p class="muted small" role="note">
              Withheld: {result.withheld.sensitive ?? 0} sensitive{result.withheld.categories?.length ? ` (${result.withheld.categories.join(", ")})` : ""}, {result.withheld.quarantined ?? 0} quarantined.
            </p>
          ) : null}
          <h2>Results ({result.results.length})</h2>
          <div class="scroll">
            <table class="grid">
              <caption class="sr-only">Results with their fused score and per-channel contributions</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Text</th>
                  <th scope="col" class="n">Score</th>
                  {channels.map((c) => (
                    <th key={c} scope="col" class="n">
                      {c}
                    </th>
                  ))}
                  <th scope="col" class="n">Tokens</th>
                </tr>
              </thead>
              <tbody>
                {result.results.map((r, i) => (
                  <tr key={r.id}>
                    <td>{i + 1}</td>
                    <td>
                      <KindBadge kind={r.kind} /> <Provenance source={r.source} trust={r.trust} sensitivity={r.sensitivity} quarantined={r.quarantined} /> {r.type === "memory" ? <a href={href("u", user, "m", r.id)}>{r.text}</a> : <span>{r.speaker ? `${r.speaker}: ` : ""}{r.text}</span>}
                      <div class="muted small">
                        {when(r.occurredAt)} · sources {r.sources.join(", ")}
                      </div>
                    </td>
                    <td class="n">{num(r.score)}</td>
                    {channels.map((c) => (
                      <td key={c} class="n">
                        {r.channels[c] !== undefined ? num(r.channels[c]!) : "—"}
                      </td>
                    ))}
                    <td class="n">{r.tokens}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
