/** The login screen: asks for an API key and checks it with GET /v1/inspect/whoami. */
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { ErrorBox } from "../components.js";
import type { WhoAmI } from "../types.js";

/**
 * The login screen: asks for an API key and checks it with GET /v1/inspect/whoami.
 *
 * @example
 * ```tsx
 * <Login onLogin={(me, key) => start(me, key)} />
 * ```
 */
export function Login({ onLogin }: { onLogin: (w: WhoAmI, key: string) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section class="card login" aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <p class="muted">
        Paste an API key made with <code>mnemo keys create --tenant &lt;name&gt;</code>. It stays in this tab only (sessionStorage) and is
        sent as <code>Authorization: Bearer</code> to this server.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const w = await api<WhoAmI>("GET", "/v1/inspect/whoami", undefined, key.trim());
            onLogin(w, key.trim());
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label class="field">
          API key
          <input type="password" name="key" value={key} required autoComplete="off" spellcheck={false} placeholder="mnemo_…" onInput={(e) => setKey((e.target as HTMLInputElement).value)} autoFocus />
        </label>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy || key.trim() === ""}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </form>
    </section>
  );
}
