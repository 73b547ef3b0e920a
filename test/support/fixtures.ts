/**
 * Shared test helpers: temp databases, row builders for store tests, LoCoMo slices
 * (read from ../shared at test time, never copied into the repo), and "nothing
 * changed" fingerprints of a store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { MnemoError, type ErrorCode } from "../../src/core/errors.js";
import type { Entity, Episode, Memory, MemoryVersion, Segment, Stats } from "../../src/core/types.js";
import { readLocomo, type LocomoConversation } from "../../src/importers/locomo.js";
import { Mnemo } from "../../src/mnemo.js";
import type { MnemoOptions } from "../../src/core/options.js";
import type { ScopeKey } from "../../src/store/types.js";

/** The LoCoMo dev file shipped next to the repository (../shared/data/locomo). */
export const LOCOMO_PATH = fileURLToPath(new URL("../../../shared/data/locomo/locomo-dev.json", import.meta.url));

/** A fresh temp directory and a function that removes it. */
export function tempDir(prefix = "mnemo-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Mnemo on a real SQLite file in a temp dir. */
export async function openTempMnemo(options: Omit<MnemoOptions, "path"> = {}): Promise<{ mnemo: Mnemo; path: string; dir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "mnemo.db");
  const mnemo = await Mnemo.open({ ...options, path });
  return {
    mnemo,
    path,
    dir,
    cleanup: async () => {
      await mnemo.close();
      cleanup();
    },
  };
}

const locomoCache = new Map<string, LocomoConversation>();

/** One LoCoMo conversation, optionally only its first `sessions` sessions. */
export function locomo(sampleId = "conv-26", sessions?: number): LocomoConversation {
  let conv = locomoCache.get(sampleId);
  if (!conv) {
    conv = readLocomo(LOCOMO_PATH, [sampleId])[0]!;
    locomoCache.set(sampleId, conv);
  }
  return sessions === undefined ? conv : { ...conv, sessions: conv.sessions.slice(0, sessions) };
}

/** Remembers every session of a conversation (one call per session, as a client would). */
export async function ingestLocomo(mnemo: Mnemo, conv: LocomoConversation, userId: string, tenant?: string): Promise<void> {
  for (const s of conv.sessions) await mnemo.remember(s.messages, tenant ? { userId, tenant } : { userId });
}

/** Asserts that `p` rejects with a MnemoError of the given code and returns it. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<MnemoError> {
  let err: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a MnemoError ${code}`).toBeInstanceOf(MnemoError);
  expect((err as MnemoError).code).toBe(code);
  return err as MnemoError;
}

/** Everything a user has, as export lines (or null if the user is unknown), plus store-wide stats. */
export async function fingerprint(mnemo: Mnemo, userIds: string[], tenant?: string): Promise<{ stats: Stats; exports: Record<string, string[] | null> }> {
  const exports: Record<string, string[] | null> = {};
  for (const userId of userIds) {
    try {
      const lines: string[] = [];
      for await (const l of mnemo.export(tenant ? { userId, tenant } : { userId })) lines.push(l);
      exports[userId] = lines;
    } catch (e) {
      if (e instanceof MnemoError && e.code === "UNKNOWN_USER") exports[userId] = null;
      else throw e;
    }
  }
  return { stats: await mnemo.stats(), exports };
}

/** Collects an export into one JSONL string. */
export async function exportText(mnemo: Mnemo, userId: string, tenant?: string): Promise<string> {
  const lines: string[] = [];
  for await (const l of mnemo.export(tenant ? { userId, tenant } : { userId })) lines.push(l);
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------
// Row builders for store tests
// ---------------------------------------------------------------------------

let counter = 0;
const next = () => (++counter).toString().padStart(6, "0");

/** An ISO time `minutes` after 2023-05-08T00:00Z. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2023, 4, 8) + minutes * 60_000).toISOString();
}

export function makeEpisode(scope: ScopeKey, o: Partial<Episode> = {}): Episode {
  const n = next();
  return {
    id: `ep_t${n}`,
    externalId: null,
    tenant: scope.tenant,
    userId: scope.userId,
    agentId: null,
    sessionId: "s1",
    speaker: "Caroline",
    role: null,
    text: `episode ${n}`,
    attachmentText: null,
    occurredAt: at(Number(n)),
    recordedAt: at(0),
    contentHash: `hash-${n}`,
    segmentId: null,
    seq: Number(n),
    metadata: {},
    ...o,
  };
}

export function makeMemory(scope: ScopeKey, sources: string[], o: Partial<Memory> = {}): Memory {
  const n = next();
  return {
    id: `mem_t${n}`,
    tenant: scope.tenant,
    userId: scope.userId,
    agentId: null,
    kind: "fact",
    text: `memory ${n}`,
    subject: null,
    slot: null,
    validFrom: null,
    validTo: null,
    observedAt: at(0),
    recordedAt: at(0),
    invalidatedAt: null,
    confidence: 0.6,
    importance: 0.5,
    strength: 1,
    lastAccessedAt: at(0),
    accessCount: 0,
    sources,
    entityIds: [],
    segmentIds: [],
    version: 1,
    forgottenAt: null,
    expiresAt: null,
    metadata: {},
    ...o,
  };
}

export function makeSegment(scope: ScopeKey, episodeIds: string[], o: Partial<Segment> = {}): Segment {
  const n = next();
  return {
    id: `seg_t${n}`,
    tenant: scope.tenant,
    userId: scope.userId,
    sessionId: "s1",
    episodeIds,
    startedAt: at(0),
    endedAt: at(1),
    summary: `segment ${n}`,
    ...o,
  };
}

export function makeEntity(scope: ScopeKey, name: string, o: Partial<Entity> = {}): Entity {
  return { id: `ent_${scope.tenant}_${scope.userId}_${name.toLowerCase()}`, tenant: scope.tenant, userId: scope.userId, name, type: "person", aliases: [], mentionCount: 1, ...o };
}

export function makeVersion(m: Memory, op: MemoryVersion["op"], o: Partial<MemoryVersion> = {}): MemoryVersion {
  return { memoryId: m.id, version: m.version, op, text: m.text, validFrom: m.validFrom, validTo: m.validTo, sources: m.sources, at: at(0), reason: null, ...o };
}

/** A deterministic unit-ish vector. */
export function vec(dim: number, seed: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = Math.sin(seed * 7.13 + i * 1.7);
  return v;
}
