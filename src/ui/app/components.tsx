/** Shared UI pieces: errors, confirmation dialog, status badges, theme toggle. */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiFailure } from "./api.js";

/**
 * Shows an error (API code, message, hint) in an alert region.
 *
 * @example
 * ```tsx
 * <ErrorBox error={error} />
 * ```
 */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiFailure ? error : null;
  return (
    <div class="error" role="alert">
      <strong>{e ? e.code : "Error"}</strong> {e ? e.message : String((error as Error).message ?? error)}
      {e?.hint ? <div class="hint">{e.hint}</div> : null}
    </div>
  );
}

/**
 * A loading line announced to screen readers.
 *
 * @example
 * ```tsx
 * <Loading what="Recalling" />
 * ```
 */
export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/**
 * A memory status as a badge.
 *
 * @example
 * ```tsx
 * <StatusBadge status="forgotten" />
 * ```
 */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}

/**
 * A memory kind as a badge.
 *
 * @example
 * ```tsx
 * <KindBadge kind="preference" />
 * ```
 */
export function KindBadge({ kind }: { kind: string }) {
  return <span class={`badge kind-${kind}`}>{kind}</span>;
}

/**
 * A modal confirmation (native <dialog>: focus moves in, Escape cancels, focus returns).
 * With `typeToConfirm`, the confirm button stays disabled until that text is typed.
 *
 * @example
 * ```tsx
 * <ConfirmDialog open={open} title="Erase bob?" confirmLabel="Erase" typeToConfirm="bob" onConfirm={erase} onCancel={close}>…</ConfirmDialog>
 * ```
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  typeToConfirm?: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [typed, setTyped] = useState("");
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setTyped("");
      d.showModal();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);
  const ok = props.typeToConfirm === undefined || typed === props.typeToConfirm;
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) props.onConfirm();
        }}
      >
        <h2 id={titleId}>{props.title}</h2>
        <div>{props.children}</div>
        {props.typeToConfirm !== undefined ? (
          <label class="field">
            Type <code>{props.typeToConfirm}</code> to confirm
            <input value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} autoComplete="off" />
          </label>
        ) : null}
        <div class="actions">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class={props.danger ? "danger" : "primary"} disabled={!ok}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

const THEME_KEY = "mnemo.inspector.theme";
type Theme = "system" | "light" | "dark";

/**
 * Applies the saved theme (call once before the first render).
 *
 * @example
 * ```tsx
 * applySavedTheme();
 * ```
 */
export function applySavedTheme(): void {
  let t: Theme = "system";
  try {
    t = (localStorage.getItem(THEME_KEY) as Theme | null) ?? "system";
  } catch {
    /* ignore */
  }
  setTheme(t);
}

function setTheme(t: Theme): void {
  if (t === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}

/**
 * A button cycling the theme: system → light → dark.
 *
 * @example
 * ```tsx
 * <ThemeToggle />
 * ```
 */
export function ThemeToggle() {
  const [theme, setState] = useState<Theme>(() => (document.documentElement.dataset.theme as Theme | undefined) ?? "system");
  const next: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
  return (
    <button
      type="button"
      class="ghost"
      aria-label={`Theme: ${theme}. Switch to ${next[theme]}`}
      title="Switch theme"
      onClick={() => {
        const t = next[theme];
        setState(t);
        setTheme(t);
        try {
          localStorage.setItem(THEME_KEY, t);
        } catch {
          /* ignore */
        }
      }}
    >
      {theme === "dark" ? "☾ Dark" : theme === "light" ? "☀ Light" : "◐ System"}
    </button>
  );
}

/**
 * Runs an async loader when `deps` change; returns [data, error, reload] (a Preact hook).
 *
 * @example
 * ```tsx
 * const [users, error, reload] = useLoad(() => api("GET", "/v1/inspect/users"), []);
 * ```
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [T | null, unknown, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    setError(null);
    load().then(
      (d) => alive && setData(d),
      (e) => alive && (setError(e), setData(null)),
    );
    return () => {
      alive = false;
    };
  }, [...deps, tick]);
  return [data, error, () => setTick((t) => t + 1)];
}

/**
 * Provenance badges (source role other than the user, untrusted, sensitive categories, quarantine) where the server records them.
 *
 * @example
 * ```tsx
 * <Provenance source="tool" trust="untrusted" sensitivity={["health"]} />
 * ```
 */
export function Provenance(props: { source?: unknown; trust?: unknown; sensitivity?: unknown; quarantined?: unknown }) {
  const sens = Array.isArray(props.sensitivity) ? (props.sensitivity as string[]) : typeof props.sensitivity === "string" ? [props.sensitivity] : [];
  return (
    <>
      {typeof props.source === "string" && props.source !== "user" ? <span class="badge">from {props.source}</span> : null}
      {props.trust === "untrusted" ? <span class="badge warn">untrusted</span> : null}
      {props.quarantined ? <span class="badge warn">quarantined</span> : null}
      {sens
        .filter((c) => c !== "none")
        .map((c) => (
          <span key={c} class="badge sens">
            {c}
          </span>
        ))}
    </>
  );
}
