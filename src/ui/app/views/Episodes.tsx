/** The conversation, day by day, each message with the memories distilled from it. */
import { useState } from "preact/hooks";
import { api, qs, seg } from "../api.js";
import { capabilities, deleteEpisodeUrl } from "../capabilities.js";
import { ConfirmDialog, ErrorBox, KindBadge, Loading, Provenance, StatusBadge, useLoad } from "../components.js";
import { dayLabel, when } from "../format.js";
import { href } from "../router.js";
import type { Episode, EpisodeDay, WhoAmI } from "../types.js";

/**
 * The conversation, day by day, each message with the memories distilled from it.
 *
 * @example
 * ```tsx
 * <Episodes user="alice" day="2024-04-02" me={me} />
 * ```
 */
export function Episodes({ user, day, me }: { user: string; day: string | undefined; me: WhoAmI }) {
  const [data, error, reload] = useLoad(() => api<EpisodeDay>("GET", `/v1/inspect/users/${seg(user)}/episodes${qs({ day })}`), [user, day]);
  const [caps] = useLoad(() => capabilities(), []);
  const [deleting, setDeleting] = useState<Episode | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const canDelete = !!caps?.deleteEpisode && me.scopes.includes("write");
  return (
    <section aria-labelledby="ep-title">
      <h1 id="ep-title">Conversation</h1>
      <ErrorBox error={error} />
      <ErrorBox error={actionError} />
      {!data && !error ? <Loading /> : null}
      {data ? (
        <div class="split">
          <nav class="days" aria-label="Days">
            <ul>
              {data.days.map((d) => (
                <li key={d.day}>
                  <a href={href("u", user, "episodes", d.day)} aria-current={d.day === data.day ? "page" : undefined}>
                    {d.day} <span class="muted small">({d.count})</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="chat">
            {data.day ? <h2>{dayLabel(data.day)}</h2> : <p class="muted">No messages.</p>}
            <ol class="messages">
              {data.items.map((e) => (
                <li key={e.id} class={`msg role-${e.role ?? "other"}`}>
                  <div class="meta">
                    <span class="speaker">{e.speaker}</span>
                    {e.role && e.role !== e.speaker ? <span class="muted small"> ({e.role})</span> : null}
                    <span class="muted small"> {when(e.occurredAt)}</span>
                    {e.externalId ? <span class="muted small"> · {e.externalId}</span> : null}
                    {e.sessionId ? <span class="muted small"> · session {e.sessionId}</span> : null}
                    <Provenance source={e.source} trust={e.trust} sensitivity={e.sensitivity} quarantined={!!e.quarantine} />
                    {canDelete ? (
                      <button type="button" class="ghost small" aria-label={`Delete message ${e.externalId ?? e.id}`} onClick={() => setDeleting(e)}>
                        Delete
                      </button>
                    ) : null}
                  </div>
                  <p class="bubble">{e.text}</p>
                  {e.attachmentText ? <p class="muted small">Attachment: {e.attachmentText}</p> : null}
                  {e.quarantine ? <p class="muted small">Quarantined ({e.quarantine.reasons.join(", ")}): kept verbatim, never distilled or recalled.</p> : null}
                  {e.memories && e.memories.length ? (
                    <ul class="derived" aria-label="Memories from this message">
                      {e.memories.map((m) => (
                        <li key={m.id}>
                          <KindBadge kind={m.kind} /> {m.status !== "valid" ? <StatusBadge status={m.status} /> : null}{" "}
                          <a href={href("u", user, "m", m.id)}>{m.text}</a>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ol>
          </div>
        </div>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        danger
        title="Delete this message?"
        confirmLabel="Delete message"
        onCancel={() => setDeleting(null)}
        onConfirm={async () => {
          const e = deleting;
          setDeleting(null);
          if (!e || !caps?.deleteEpisode) return;
          try {
            await api("DELETE", deleteEpisodeUrl(caps.deleteEpisode, e.id, user));
            reload();
          } catch (err) {
            setActionError(err);
          }
        }}
      >
        <p>“{deleting?.text}” and what was distilled only from it are deleted.</p>
      </ConfirmDialog>
    </section>
  );
}
