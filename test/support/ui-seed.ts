/**
 * A small store for the inspector's browser tests: two users over several days, with people,
 * places and organisations, written through the public API of the library.
 *
 * @example
 * ```ts
 * await seedInspectorStore("/tmp/x/mnemo.db", "acme");
 * ```
 */
import { Mnemo } from "../../src/mnemo.js";

/** Messages of the seeded user "alice" (user and assistant turns over four days). */
export const ALICE = [
  { id: "a1", speaker: "Alice", role: "user", content: "I moved to Lisbon in March and I love surfing with my friend Maria.", occurredAt: "2024-04-02T10:00:00Z", sessionId: "s1" },
  { id: "a2", role: "assistant", content: "Lisbon has great surf spots! Carcavelos is close to the city.", occurredAt: "2024-04-02T10:00:05Z", sessionId: "s1" },
  { id: "a3", speaker: "Alice", role: "user", content: "I work at Acme Corp as a data engineer, mostly on Python pipelines.", occurredAt: "2024-04-03T09:00:00Z", sessionId: "s2" },
  { id: "a4", speaker: "Alice", role: "user", content: "Maria and I are planning a trip to Porto with her brother Tiago.", occurredAt: "2024-04-03T09:01:00Z", sessionId: "s2" },
  { id: "a5", speaker: "Alice", role: "user", content: "I prefer green tea in the morning, never coffee.", occurredAt: "2024-04-20T08:30:00Z", sessionId: "s3" },
  { id: "a6", speaker: "Alice", role: "user", content: "Please always answer me in short bullet points.", occurredAt: "2024-04-20T08:31:00Z", sessionId: "s3" },
  { id: "a7", speaker: "Alice", role: "user", content: "I moved to Porto last week, Tiago helped me carry the boxes.", occurredAt: "2024-05-10T09:00:00Z", sessionId: "s4" },
  { id: "a8", role: "assistant", content: "Congratulations on the move to Porto!", occurredAt: "2024-05-10T09:00:04Z", sessionId: "s4" },
];

/** Fills `dbPath` (created if needed) with users alice and bob of `tenant`. */
export async function seedInspectorStore(dbPath: string, tenant: string): Promise<void> {
  const mnemo = await Mnemo.open({ path: dbPath, tenant });
  try {
    await mnemo.remember(ALICE, { tenant, userId: "alice" });
    await mnemo.remember(
      [
        { id: "b1", speaker: "Bob", role: "user", content: "I prefer tea over coffee and I live in Berlin.", occurredAt: "2024-04-02T08:00:00Z" },
        { id: "b2", speaker: "Bob", role: "user", content: "My sister Clara works at Globex in Munich.", occurredAt: "2024-04-05T08:00:00Z" },
      ],
      { tenant, userId: "bob" },
    );
  } finally {
    await mnemo.close();
  }
}
