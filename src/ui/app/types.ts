/** Shapes of the inspector routes' responses (see src/ui/api/schemas.ts). */

export type MemoryStatus = "valid" | "invalidated" | "forgotten";

export interface WhoAmI {
  tenant: string;
  keyId: string;
  scopes: string[];
  auth: boolean;
}

export interface UserSummary {
  userId: string;
  episodes: number;
  memories: number;
  entities: number;
  segments: number;
}

export interface Memory {
  id: string;
  userId: string;
  kind: string;
  text: string;
  subject: string | null;
  validFrom: string | null;
  validTo: string | null;
  observedAt: string;
  recordedAt: string;
  invalidatedAt: string | null;
  forgottenAt: string | null;
  expiresAt: string | null;
  confidence: number;
  importance: number;
  strength: number;
  accessCount: number;
  sources: string[];
  entityIds: string[];
  version: number;
  metadata: Record<string, unknown>;
  status: MemoryStatus;
  /** Provenance, where the server records it. */
  source?: string;
  trust?: string;
  sensitivity?: string[] | string;
  [extra: string]: unknown;
}

export interface MemorySearch {
  items: Memory[];
  total: number;
  nextCursor: string | null;
  facets: { kinds: Record<string, number>; statuses: Record<string, number>; roles: Record<string, number>; sensitivities: Record<string, number> };
}

export interface Episode {
  id: string;
  externalId: string | null;
  sessionId: string | null;
  speaker: string;
  role: string | null;
  text: string;
  attachmentText: string | null;
  occurredAt: string;
  memories?: Array<{ id: string; kind: string; text: string; status: MemoryStatus }>;
  source?: string;
  trust?: string;
  quarantine?: { reasons: string[]; at: string } | null;
  sensitivity?: string[];
  [extra: string]: unknown;
}

export interface EpisodeDay {
  days: Array<{ day: string; count: number }>;
  day: string | null;
  items: Episode[];
}

export interface Version {
  memoryId: string;
  version: number;
  op: string;
  text: string;
  validFrom: string | null;
  validTo: string | null;
  sources: string[];
  at: string;
  reason: string | null;
}

export interface Trace {
  memory: Memory;
  versions: Version[];
  episodes: Episode[];
  entities: Array<{ id: string; name: string; type: string }>;
}

export interface GraphEntity {
  id: string;
  name: string;
  type: string;
  aliases: string[];
  mentionCount: number;
  memoryIds: string[];
}

export interface Graph {
  entities: GraphEntity[];
  memories: Array<{ id: string; kind: string; text: string; entityIds: string[] }>;
  edges: Array<{ source: string; target: string; weight: number }>;
}

export interface RecallResult {
  id: string;
  type: "memory" | "episode";
  kind: string;
  text: string;
  score: number;
  sources: string[];
  occurredAt: string | null;
  speaker: string | null;
  channels: Record<string, number>;
  tokens: number;
  source?: string;
  trust?: string;
  quarantined?: boolean;
  sensitivity?: string[];
}

export interface Recall {
  context: string;
  contextTokens: number;
  results: RecallResult[];
  query: { text: string; entities: string[]; timeRange: { from: string; to: string } | null };
  withheld?: { sensitive?: number; categories?: string[]; quarantined?: number };
}
