/** One memory: fields, edit form, forget, and its history as a timeline with the source messages. */
import { useState } from "preact/hooks";
import { api, seg } from "../api.js";
import { capabilities } from "../capabilities.js";
import { ConfirmDialog, ErrorBox, KindBadge, Loading, StatusBadge, useLoad } from "../components.js";
import { when } from "../format.js";
import { href } from "../router.js";
import type { Trace, WhoAmI } from "../types.js";

const KINDS = ["fact", "event", "preference", "profile", "instruction", "summary"];

/**
 * One memory: fields, edit, forget (or restore), and its history with the source messages.
 *
 * @example
 * ```tsx
 * <MemoryDetail user="alice" id="mem_1" me={me} />
 * ```
 */
export function MemoryDetail({ user, id, me }: { user: string; id: string; me: WhoAmI }) {
  const [trace, error, reload] = useLoad(() => api<Trace>("GET", `/v1/inspect/memories/${seg(id)}`), [id]);
  const [caps] = useLoad(() => capabilities(), []);
  const [editing, setEditing] = useState(false);
  const [forgetOpen, setForgetOpen] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const canWrite = me.scopes.includes("write");
  if (error) return <ErrorBox error={error} />;
  if (!trace) return <Loading />;
  const m = trace.memory;
  const byId = new Map(trace.episodes.map((e) => [e.id, e]));
  const extra = Object.entries(m).filter(([k, v]) => ["source", "trust", "sensitivity"].includes(k) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
  return (
    <section aria-labelledby="md-title">
      <p>
        <a href={href("u", user, "memories")}>← All memories</a>
      </p>
      <h1 id="md-title">
        <KindBadge kind={m.kind} /> <StatusBadge status={m.status} /> Memory <code>{m.id}</code>
      </h1>
      <div role="status" aria-live="polite" class="notice">
        {notice}
      </div>
      <ErrorBox error={actionError} />
      {editing ? (
        <EditForm
          m={m}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setNotice("Saved. The previous version is in the history below.");
            reload();
          }}
          onError={setActionError}
        />
      ) : (
        <div class="card">
          <p class="bigtext">{m.text}</p>
          <dl class="facts">
            <dt>Subject</dt>
            <dd>{m.subject ?? "—"}</dd>
            <dt>Valid</dt>
            <dd>
              {when(m.validFrom)} → {m.validTo ? when(m.validTo) : "now"}
            </dd>
            <dt>Observed</dt>
            <dd>{when(m.observedAt)}</dd>
            <dt>Importance · confidence · strength</dt>
            <dd>
              {m.importance.toFixed(2)} · {m.confidence.toFixed(2)} · {m.strength.toFixed(2)}
            </dd>
            <dt>Recalled</dt>
            <dd>{m.accessCount} times</dd>
            {m.forgottenAt ? (
              <>
                <dt>Forgotten</dt>
                <dd>{when(m.forgottenAt)}</dd>
              </>
            ) : null}
            {trace.entities.length ? (
              <>
                <dt>Entities</dt>
                <dd>{trace.entities.map((e) => `${e.name} (${e.type})`).join(", ")}</dd>
              </>
            ) : null}
            {extra.map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd>{typeof v === "string" ? v : Array.isArray(v) ? v.join(", ") : JSON.stringify(v)}</dd>
              </>
            ))}
          </dl>
          {canWrite && m.status !== "forgotten" ? (
            <div class="actions">
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button type="button" class="danger" onClick={() => setForgetOpen(true)}>
                Forget…
              </button>
            </div>
          ) : null}
          {canWrite && m.status === "forgotten" && caps?.restore ? (
            <div class="actions">
              <button
                type="button"
                onClick={async () => {
                  try {
                    await api("POST", caps.restore!.replace(/\{\w+\}/, seg(m.id)));
                    setNotice("Restored: it can be recalled again; the forget stays in the history.");
                    reload();
                  } catch (e) {
                    setActionError(e);
                  }
                }}
              >
                Restore
              </button>
            </div>
          ) : null}
        </div>
      )}
      <ConfirmDialog
        open={forgetOpen}
        danger
        title="Forget this memory?"
        confirmLabel="Forget"
        onCancel={() => setForgetOpen(false)}
        onConfirm={async () => {
          setForgetOpen(false);
          try {
            await api("DELETE", `/v1/memories/${seg(m.id)}`);
            setNotice("Forgotten: it will never be recalled again; the history is kept.");
            reload();
          } catch (e) {
            setActionError(e);
          }
        }}
      >
        <p>“{m.text}” will never be recalled again. It stays in the history (a soft delete).</p>
      </ConfirmDialog>
      <h2>History</h2>
      <ol class="timeline">
        {trace.versions.map((v) => (
          <li key={v.version}>
            <div class="meta">
              <span class={`badge op-${v.op}`}>{v.op}</span> <strong>v{v.version}</strong> <span class="muted small">{when(v.at)}</span>
              {v.reason ? <span class="muted small"> · {v.reason}</span> : null}
            </div>
            <p>{v.text}</p>
            {v.sources.length ? (
              <ul class="turns" aria-label={`Source messages of version ${v.version}`}>
                {v.sources.map((s) => {
                  const e = byId.get(s);
                  return e ? (
                    <li key={s}>
                      <span class="speaker">{e.speaker}</span> <span class="muted small">{when(e.occurredAt)}</span>
                      <blockquote>{e.text}</blockquote>
                      <a class="small" href={href("u", user, "episodes", e.occurredAt.slice(0, 10))}>
                        in the conversation of {e.occurredAt.slice(0, 10)}
                      </a>
                    </li>
                  ) : (
                    <li key={s} class="muted">
                      {s} (no longer stored)
                    </li>
                  );
                })}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function EditForm(props: { m: Trace["memory"]; onCancel: () => void; onSaved: () => void; onError: (e: unknown) => void }) {
  const [text, setText] = useState(props.m.text);
  const [kind, setKind] = useState(props.m.kind);
  const [importance, setImportance] = useState(String(props.m.importance));
  return (
    <form
      class="card"
      aria-label="Edit memory"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const patch: Record<string, unknown> = {};
          if (text !== props.m.text) patch.text = text;
          if (kind !== props.m.kind) patch.kind = kind;
          if (Number(importance) !== props.m.importance) patch.importance = Number(importance);
          if (Object.keys(patch).length) await api("PATCH", `/v1/memories/${seg(props.m.id)}`, patch);
          props.onSaved();
        } catch (err) {
          props.onError(err);
        }
      }}
    >
      <label class="field">
        Text
        <textarea name="text" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} autoFocus />
      </label>
      <div class="row">
        <label class="field">
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          Importance (0–1)
          <input name="importance" type="number" min="0" max="1" step="0.05" value={importance} onInput={(e) => setImportance((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary">
          Save
        </button>
      </div>
    </form>
  );
}
