/** "Erase user" with a confirmation dialog that asks to type the user id (DELETE /v1/users/{userId}). */
import { useState } from "preact/hooks";
import { api, seg } from "../api.js";
import { ConfirmDialog, ErrorBox } from "../components.js";
import { navigate } from "../router.js";

/**
 * "Erase user" with a confirmation dialog that asks to type the user id (DELETE /v1/users/{userId}).
 *
 * @example
 * ```tsx
 * <EraseUser user="bob" />
 * ```
 */
export function EraseUser({ user }: { user: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Erase user…
      </button>
      <ErrorBox error={error} />
      <ConfirmDialog
        open={open}
        danger
        title={`Erase ${user}?`}
        confirmLabel="Erase for ever"
        typeToConfirm={user}
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          setOpen(false);
          try {
            await api("DELETE", `/v1/users/${seg(user)}`);
            navigate("users");
          } catch (e) {
            setError(e);
          }
        }}
      >
        <p>
          This hard-deletes every message, memory, version, entity and vector of <strong>{user}</strong>. Nothing is kept in the file and it
          cannot be undone. Export first if you may need it: <code>GET /v1/users/{user}/export</code>.
        </p>
      </ConfirmDialog>
    </>
  );
}
