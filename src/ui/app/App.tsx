/** The inspector shell: login, header, navigation and routes. */
import { useEffect, useState } from "preact/hooks";
import { api, ApiFailure, storedKey, storeKey, useKey } from "./api.js";
import { ErrorBox, Loading, ThemeToggle } from "./components.js";
import { href, useRoute } from "./router.js";
import type { WhoAmI } from "./types.js";
import { Episodes } from "./views/Episodes.js";
import { GraphView } from "./views/Graph.js";
import { Login } from "./views/Login.js";
import { MemoryDetail } from "./views/MemoryDetail.js";
import { Memories } from "./views/Memories.js";
import { RecallView } from "./views/Recall.js";
import { Users } from "./views/Users.js";
import { EraseUser } from "./views/EraseUser.js";

const TABS: Array<[string, string]> = [
  ["memories", "Memories"],
  ["episodes", "Conversation"],
  ["graph", "Entity graph"],
  ["recall", "Recall playground"],
];

/**
 * The inspector shell: login, header, navigation and routes.
 *
 * @example
 * ```tsx
 * render(<App />, document.getElementById("app")!);
 * ```
 */
export function App() {
  const [me, setMe] = useState<WhoAmI | null>(null);
  const [state, setState] = useState<"probing" | "login" | "ready">("probing");
  const [error, setError] = useState<unknown>(null);
  const route = useRoute();

  useEffect(() => {
    // With a stored key, use it; without one, try without (a `--no-auth` server on loopback answers).
    const key = storedKey();
    api<WhoAmI>("GET", "/v1/inspect/whoami", undefined, key).then(
      (w) => (setMe(w), setState("ready")),
      (e) => {
        if (e instanceof ApiFailure && e.status === 401) {
          storeKey(null);
          useKey(null);
          setState("login");
        } else (setError(e), setState("login"));
      },
    );
  }, []);

  useEffect(() => {
    const main = document.getElementById("main");
    if (main && state === "ready") main.focus({ preventScroll: true });
  }, [route.join("/"), state]);

  useEffect(() => {
    const expired = () => {
      storeKey(null);
      useKey(null);
      setMe(null);
      setState("login");
      setError(new ApiFailure(401, "UNAUTHORIZED", "The key is no longer accepted.", "Log in again with a valid key."));
    };
    addEventListener("mnemo:unauthorized", expired);
    return () => removeEventListener("mnemo:unauthorized", expired);
  }, []);

  const onLogin = (w: WhoAmI, key: string) => {
    storeKey(key);
    useKey(key);
    setMe(w);
    setState("ready");
    setError(null);
  };
  const logout = () => {
    storeKey(null);
    useKey(null);
    setMe(null);
    setState("login");
  };

  let body;
  if (state === "probing") body = <Loading what="Connecting" />;
  else if (state === "login" || !me) body = <Login onLogin={onLogin} />;
  else body = <Routes route={route} me={me} />;

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href("users")}>
          <span aria-hidden="true">◆</span> Mnemo inspector
        </a>
        {me ? (
          <span class="muted who">
            tenant <strong>{me.tenant}</strong> · {me.auth ? `key ${me.keyId}` : "no auth (loopback)"} · {me.scopes.join(", ")}
          </span>
        ) : null}
        <span class="spacer" />
        <ThemeToggle />
        {me?.auth ? (
          <button type="button" class="ghost" onClick={logout}>
            Log out
          </button>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBox error={error} />
        {body}
      </main>
    </>
  );
}

function Routes({ route, me }: { route: string[]; me: WhoAmI }) {
  const [head, user, tab, id] = route;
  if (head !== "u" || !user) return <Users />;
  const current = tab === "m" ? "memories" : (tab ?? "memories");
  let view;
  if (tab === "m" && id) view = <MemoryDetail user={user} id={id} me={me} />;
  else if (current === "episodes") view = <Episodes user={user} day={id} me={me} />;
  else if (current === "graph") view = <GraphView user={user} />;
  else if (current === "recall") view = <RecallView user={user} />;
  else view = <Memories user={user} />;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href("users")}>Users</a> <span aria-hidden="true">/</span> <strong>{user}</strong>
      </nav>
      <div class="userbar">
        <nav class="tabs" aria-label="User views">
          {TABS.map(([t, label]) => (
            <a key={t} href={href("u", user, t)} aria-current={current === t ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {me.scopes.includes("admin") ? <EraseUser user={user} /> : null}
      </div>
      {view}
    </>
  );
}
