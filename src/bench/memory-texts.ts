import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLocomo, rememberConversation } from "../importers/locomo.js";
import type { Extractor } from "../ingest/extract/types.js";
import { Mnemo } from "../mnemo.js";

/**
 * The id a hand-labelled memory text is stored under in a fixture: the first 16 hex digits
 * of its SHA-256, so labels can be committed without the dataset's text.
 *
 * @example
 * ```ts
 * textId("Caroline: I went to a support group."); // 16 hex digits
 * ```
 */
export function textId(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * Every non-summary memory text an extractor stores for a LoCoMo file (one user per
 * conversation, in a temporary SQLite file that is removed afterwards), in store order,
 * duplicates kept. What the filler sample, its training set and its test are drawn from.
 *
 * @example
 * ```ts
 * const texts = await storedMemoryTexts("../shared/data/locomo/locomo-dev.json");
 * const rulesOnly = await storedMemoryTexts(path, new OfflineExtractor({ fillerModel: false }));
 * ```
 */
export async function storedMemoryTexts(data: string, extractor?: Extractor): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "mnemo-texts-"));
  const texts: string[] = [];
  try {
    const mnemo = await Mnemo.open({ path: join(dir, "m.db"), ...(extractor ? { extractor } : {}) });
    try {
      for (const conv of readLocomo(data)) {
        await rememberConversation(mnemo, conv);
        let cursor: string | undefined;
        do {
          const page = await mnemo.memories({ userId: conv.sampleId, limit: 1000, ...(cursor ? { cursor } : {}) });
          for (const m of page.items) if (m.kind !== "summary") texts.push(m.text);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
    } finally {
      await mnemo.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return texts;
}
