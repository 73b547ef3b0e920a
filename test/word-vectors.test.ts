import { createRequire } from "node:module";
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MnemoError } from "../src/core/errors.js";
import { loadWordVectors, WordVectorEmbedder, WORD_VECTORS_PACKAGE } from "../src/providers/embeddings/word-vectors.js";

const DIM = 8;

/**
 * Fake vectors in frequency order: two topics (pets, finance) and filler. Topic words
 * share a strong component so sentences on one topic are close.
 */
const VOCAB: Array<[string, number[]]> = [
  ["the", [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]],
  [",", [0.2, -0.1, 0, 0, 0, 0, 0, 0.3]],
  ["i", [0.05, 0, 0.1, 0, 0, 0.05, 0, 0]],
  ["dog", [2.1, 0.3, -0.2, 0.1, 0, 0.05, -0.1, 0.2]],
  ["puppy", [1.9, 0.5, -0.1, 0, 0.1, -0.05, 0, 0.3]],
  ["adopted", [1.2, 1.0, 0.1, -0.2, 0, 0.1, 0.3, 0]],
  ["got", [0.3, 0.8, 0.2, 0.1, 0, 0, 0.1, 0]],
  ["stock", [-0.1, 0.1, 2.2, 0.4, -0.3, 0, 0.1, -0.2]],
  ["market", [0, -0.2, 1.8, 0.7, -0.1, 0.2, 0, 0]],
  ["fell", [0.1, 0, 0.9, -0.6, 0.5, 0, 0, 0.1]],
  ["new", [0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0]],
  ["self-care", [0.3, -0.7, 0.1, 0.9, 1.1, 0, 0.2, -0.4]],
  ['"quoted"', [0, 0, 0, 0, 0, 1, 0, 0]],
];

function packageJson(vocab: Array<[string, number[]]>, order: "ranked" | "shuffled" = "ranked"): string {
  const entries = vocab.map(([w, v], i): [string, number[]] => {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return [w, [...v, Number(norm.toFixed(6)), i]];
  });
  if (order === "shuffled") entries.reverse();
  return JSON.stringify({
    precision: 8,
    l2NormIndex: DIM,
    wordIndex: DIM + 1,
    size: vocab.length,
    dimensions: DIM,
    words: vocab.map(([w]) => w),
    vectors: Object.fromEntries(entries),
    unkVector: [...new Array<number>(DIM).fill(0), 0, -1],
  });
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "mnemo-wv-test-"));
  dirs.push(d);
  return d;
}

async function fakePackage(vocab = VOCAB, order: "ranked" | "shuffled" = "ranked"): Promise<string> {
  const dir = path.join(await tempDir(), WORD_VECTORS_PACKAGE);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: WORD_VECTORS_PACKAGE, version: "1.1.0", main: `./${WORD_VECTORS_PACKAGE}.json` }));
  await writeFile(path.join(dir, `${WORD_VECTORS_PACKAGE}.json`), packageJson(vocab, order));
  return dir;
}

function cos(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(v: Float32Array): number {
  return Math.sqrt(cos(v, v));
}

async function rejection(p: Promise<unknown>): Promise<MnemoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MnemoError);
    return e as MnemoError;
  }
  throw new Error("expected a rejection");
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("loadWordVectors", () => {
  it("converts the package once into a cache and reuses it", async () => {
    const pkg = await fakePackage();
    const cacheDir = await tempDir();
    const first = await loadWordVectors({ packagePath: pkg, cacheDir });
    expect(first.conversion).not.toBeNull();
    expect(first.cacheFile).toBe(path.join(cacheDir, `${WORD_VECTORS_PACKAGE}@1.1.0-60000.mnwv`));
    const st1 = await stat(first.cacheFile);
    expect(st1.size).toBe(first.conversion!.cacheBytes);

    const second = await loadWordVectors({ packagePath: pkg, cacheDir });
    expect(second.conversion).toBeNull();
    const st2 = await stat(second.cacheFile);
    expect(st2.mtimeMs).toBe(st1.mtimeMs);
    expect(second.words).toEqual(first.words);
    expect(Array.from(second.vectors)).toEqual(Array.from(first.vectors));
    expect(Array.from(second.ranks)).toEqual(Array.from(first.ranks));
  });

  it("keeps token words only, in frequency order, with their source ranks", async () => {
    const table = await loadWordVectors({ packagePath: await fakePackage(), cacheDir: await tempDir() });
    expect(table.dim).toBe(DIM);
    expect(table.words).not.toContain(",");
    expect(table.words).not.toContain('"quoted"');
    expect(table.words.slice(0, 4)).toEqual(["the", "i", "dog", "puppy"]);
    expect(table.ranks[table.lookup("dog")]).toBe(3);
    expect(table.lookup("self-care")).toBeGreaterThan(0);
    expect(table.sourceVocabulary).toBe(VOCAB.length);
    expect(table.probability(0)).toBeGreaterThan(table.probability(5));
  });

  it("quantises with a small error", async () => {
    const table = await loadWordVectors({ packagePath: await fakePackage(), cacheDir: await tempDir() });
    for (const [w, v] of VOCAB) {
      const q = table.vector(w);
      if (!q) continue;
      const max = Math.max(...v.map(Math.abs));
      v.forEach((x, j) => expect(Math.abs(q[j]! - x)).toBeLessThanOrEqual(max / 254 + 1e-6));
      const orig = Float32Array.from(v);
      expect(cos(q, orig) / (norm(q) * norm(orig))).toBeGreaterThan(0.9999);
    }
    expect(table.vector("unknown-word")).toBeUndefined();
  });

  it("honours the vocabulary size (one cache per size)", async () => {
    const pkg = await fakePackage();
    const cacheDir = await tempDir();
    const small = await loadWordVectors({ packagePath: pkg, cacheDir, vocabulary: 3 });
    expect(small.words).toEqual(["the", "i", "dog"]);
    expect(small.cacheFile.endsWith("-3.mnwv")).toBe(true);
    const full = await loadWordVectors({ packagePath: pkg, cacheDir });
    expect(full.conversion).not.toBeNull();
    expect(full.size).toBe(11);
  });

  it("selects the most frequent words when the vectors are not in rank order", async () => {
    const table = await loadWordVectors({ packagePath: await fakePackage(VOCAB, "shuffled"), cacheDir: await tempDir(), vocabulary: 3 });
    expect(table.words).toEqual(["the", "i", "dog"]);
  });

  it("accepts the JSON file itself as packagePath", async () => {
    const pkg = await fakePackage();
    const table = await loadWordVectors({ packagePath: path.join(pkg, `${WORD_VECTORS_PACKAGE}.json`), cacheDir: await tempDir() });
    expect(table.lookup("puppy")).toBeGreaterThanOrEqual(0);
  });

  it("rebuilds a corrupt cache and a cache of a changed package", async () => {
    const pkg = await fakePackage();
    const cacheDir = await tempDir();
    const first = await loadWordVectors({ packagePath: pkg, cacheDir });
    await writeFile(first.cacheFile, (await readFile(first.cacheFile)).subarray(0, 40));
    const rebuilt = await loadWordVectors({ packagePath: pkg, cacheDir });
    expect(rebuilt.conversion).not.toBeNull();
    expect(rebuilt.words).toEqual(first.words);

    await writeFile(path.join(pkg, `${WORD_VECTORS_PACKAGE}.json`), packageJson([...VOCAB, ["extra", [1, 0, 0, 0, 0, 0, 0, 0]]]));
    const changed = await loadWordVectors({ packagePath: pkg, cacheDir });
    expect(changed.conversion).not.toBeNull();
    expect(changed.lookup("extra")).toBeGreaterThan(0);
  });

  it("fails with INVALID_CONFIG when the package is missing or broken", async () => {
    const dir = await tempDir();
    const missing = await rejection(loadWordVectors({ packagePath: path.join(dir, "nope"), cacheDir: dir }));
    expect(missing.code).toBe("INVALID_CONFIG");
    expect(missing.hint).toContain(`npm install ${WORD_VECTORS_PACKAGE}`);

    const empty = await rejection(loadWordVectors({ packagePath: dir, cacheDir: dir }));
    expect(empty.code).toBe("INVALID_CONFIG");

    await writeFile(path.join(dir, `${WORD_VECTORS_PACKAGE}.json`), '{"dimensions": 8, "vectors": {"dog": [1, 2');
    const broken = await rejection(loadWordVectors({ packagePath: dir, cacheDir: dir }));
    expect(broken.code).toBe("INVALID_CONFIG");

    const bad = await rejection(loadWordVectors({ packagePath: dir, cacheDir: dir, vocabulary: 0 }));
    expect(bad.code).toBe("INVALID_CONFIG");
  });

  const installed = (() => {
    try {
      createRequire(import.meta.url).resolve(WORD_VECTORS_PACKAGE);
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(installed)("without packagePath, a missing npm package is INVALID_CONFIG with the install hint", async () => {
    const e = await rejection(loadWordVectors({ cacheDir: await tempDir() }));
    expect(e.code).toBe("INVALID_CONFIG");
    expect(e.hint).toContain(`npm install ${WORD_VECTORS_PACKAGE}`);
  });
});

describe("WordVectorEmbedder", () => {
  it("puts similar sentences closer than unrelated ones", async () => {
    const e = await WordVectorEmbedder.load({ packagePath: await fakePackage(), cacheDir: await tempDir() });
    expect(e.dim).toBe(DIM);
    expect(e.id).toBe("word-vectors-sg8d-v1-11");
    const [a, b, c] = await e.embed(["I adopted a puppy", "We got a new dog!", "The stock market fell"]);
    for (const v of [a!, b!, c!]) expect(norm(v)).toBeCloseTo(1, 5);
    expect(cos(a!, b!)).toBeGreaterThan(0.8);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, c!) + 0.5);
    expect(Array.from(e.embedOne("I adopted a puppy"))).toEqual(Array.from(a!));
  });

  it("maps hyphenated, possessive and inflected forms to known words", async () => {
    const e = await WordVectorEmbedder.load({ packagePath: await fakePackage(), cacheDir: await tempDir() });
    const dog = e.embedOne("dog");
    expect(cos(e.embedOne("dogs"), dog)).toBeCloseTo(1, 5);
    expect(cos(e.embedOne("the dog's"), dog)).toBeCloseTo(1, 5);
    expect(cos(e.embedOne("puppy-dog"), dog)).toBeGreaterThan(0.9);
    expect(norm(e.embedOne("the"))).toBe(0); // only stop words: the zero vector
  });

  it("adds hashed features for out-of-vocabulary words so names still match", async () => {
    const pkg = await fakePackage();
    const cacheDir = await tempDir();
    const plain = await WordVectorEmbedder.load({ packagePath: pkg, cacheDir });
    const oov = await WordVectorEmbedder.load({ packagePath: pkg, cacheDir }, { hashed: "oov", hashedDim: 64, hashedWeight: 0.5 });
    expect(oov.dim).toBe(DIM + 64);
    expect(oov.id).toBe("word-vectors-sg8d-v1-11-oov64x0.5");
    const q = "Zorblax adopted a puppy";
    const same = "Zorblax got a new dog";
    const other = "Quimby got a new dog";
    expect(cos(plain.embedOne(q), plain.embedOne(same))).toBeCloseTo(cos(plain.embedOne(q), plain.embedOne(other)), 5);
    expect(cos(oov.embedOne(q), oov.embedOne(same))).toBeGreaterThan(cos(oov.embedOne(q), oov.embedOne(other)) + 0.2);
    expect(norm(oov.embedOne(q))).toBeCloseTo(1, 5);
    expect(norm(oov.embedOne("Zorblax"))).toBeCloseTo(1, 5);

    const all = new WordVectorEmbedder(plain.table, { hashed: "all" });
    expect(all.dim).toBe(DIM + 256);
    const rnd = new WordVectorEmbedder(plain.table, { oovRandom: true });
    expect(rnd.dim).toBe(DIM);
    expect(cos(rnd.embedOne(q), rnd.embedOne(same))).toBeGreaterThan(cos(rnd.embedOne(q), rnd.embedOne(other)));
    const rc = new WordVectorEmbedder(plain.table, { removeCommon: true });
    expect(norm(rc.embedOne(q))).toBeCloseTo(1, 5);
  });

  it("rejects bad mode options", async () => {
    const table = await loadWordVectors({ packagePath: await fakePackage(), cacheDir: await tempDir() });
    expect(() => new WordVectorEmbedder(table, { hashedWeight: 2 })).toThrow(MnemoError);
    expect(() => new WordVectorEmbedder(table, { sifA: 0 })).toThrow(MnemoError);
  });
});
