/** Users of the tenant with counts. */
import { api } from "../api.js";
import { ErrorBox, Loading, useLoad } from "../components.js";
import { href } from "../router.js";
import type { UserSummary } from "../types.js";

/**
 * Users of the tenant with counts.
 *
 * @example
 * ```tsx
 * <Users />
 * ```
 */
export function Users() {
  const [data, error] = useLoad(() => api<{ items: UserSummary[] }>("GET", "/v1/inspect/users"), []);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <ErrorBox error={error} />
      {!data && !error ? <Loading /> : null}
      {data && data.items.length === 0 ? <p class="muted">No users yet in this tenant. Remember a conversation first (POST /v1/remember).</p> : null}
      {data && data.items.length > 0 ? (
        <table class="grid">
          <caption class="sr-only">Users and what is stored about them</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col" class="n">Messages</th>
              <th scope="col" class="n">Memories</th>
              <th scope="col" class="n">Entities</th>
              <th scope="col" class="n">Segments</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((u) => (
              <tr key={u.userId}>
                <th scope="row">
                  <a href={href("u", u.userId, "memories")}>{u.userId}</a>
                </th>
                <td class="n">{u.episodes}</td>
                <td class="n">{u.memories}</td>
                <td class="n">{u.entities}</td>
                <td class="n">{u.segments}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
