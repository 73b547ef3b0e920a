/**
 * `mnemo-memory/langgraph`: the MnemoStore passes the same store-semantics checks as
 * LangGraph's own InMemoryStore (run side by side as the reference), and works inside a real
 * StateGraph compiled with `{ store }`, on a real Mnemo over a temporary SQLite file.
 */
import { Annotation, BaseStore, InMemoryStore, START, END, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Mnemo, isMnemoError } from "../src/index.js";
import { MnemoStore } from "../src/integrations/langgraph.js";

const dir = mkdtempSync(join(tmpdir(), "mnemo-langgraph-"));
let mnemo: Mnemo;

beforeAll(async () => {
  mnemo = await Mnemo.open({ path: join(dir, "lg.db") });
});
afterAll(async () => {
  await mnemo.close();
  rmSync(dir, { recursive: true, force: true });
});

const stores: Array<[string, () => BaseStore]> = [
  ["InMemoryStore (reference)", () => new InMemoryStore()],
  ["MnemoStore", () => new MnemoStore({ mnemo })],
];

describe.each(stores)("store semantics: %s", (name, make) => {
  const ns = ["memories", name.startsWith("Mnemo") ? "alice" : "ref-alice"];
  let store: BaseStore;
  beforeAll(() => {
    store = make();
  });

  it("put then get returns the value exactly, with createdAt/updatedAt", async () => {
    const value = { text: "Alice is vegetarian.", tags: ["food"], nested: { level: 2 }, n: 3 };
    await store.put(ns, "diet", value);
    const item = await store.get(ns, "diet");
    expect(item).not.toBeNull();
    expect(item!.value).toEqual(value);
    expect(item!.key).toBe("diet");
    expect(item!.namespace).toEqual(ns);
    expect(item!.createdAt).toBeInstanceOf(Date);
    expect(item!.updatedAt).toBeInstanceOf(Date);
  });

  it("get of a missing key (or a missing namespace) is null", async () => {
    expect(await store.get(ns, "nope")).toBeNull();
    expect(await store.get(["memories", "nobody"], "diet")).toBeNull();
  });

  it("put on an existing key overwrites it and keeps createdAt", async () => {
    const before = await store.get(ns, "diet");
    await new Promise((r) => setTimeout(r, 5));
    await store.put(ns, "diet", { text: "Alice is vegan since 2024.", n: 4 });
    const after = await store.get(ns, "diet");
    expect(after!.value).toEqual({ text: "Alice is vegan since 2024.", n: 4 });
    expect(after!.createdAt.getTime()).toBe(before!.createdAt.getTime());
    expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());
  });

  it("delete removes the item; deleting again is a no-op; a new put brings it back", async () => {
    await store.put(ns, "tmp", { text: "Temporary note about parking." });
    await store.delete(ns, "tmp");
    expect(await store.get(ns, "tmp")).toBeNull();
    await store.delete(ns, "tmp");
    await store.put(ns, "tmp", { text: "Parking is on level 2." });
    expect((await store.get(ns, "tmp"))!.value).toEqual({ text: "Parking is on level 2." });
    await store.delete(ns, "tmp");
  });

  it("search by prefix and filter (equality and operators), with limit/offset", async () => {
    await store.put([...ns, "trips"], "t1", { text: "Trip to Porto in May.", year: 2024, city: "Porto" });
    await store.put([...ns, "trips"], "t2", { text: "Trip to Kyoto in October.", year: 2025, city: "Kyoto" });
    const all = await store.search(ns, { limit: 10 });
    expect(all.map((i) => i.key).sort()).toEqual(["diet", "t1", "t2"]);
    const trips = await store.search([...ns, "trips"]);
    expect(trips.map((i) => i.key).sort()).toEqual(["t1", "t2"]);
    expect((await store.search(ns, { filter: { city: "Kyoto" } })).map((i) => i.key)).toEqual(["t2"]);
    expect((await store.search(ns, { filter: { year: { $gte: 2025 } } })).map((i) => i.key)).toEqual(["t2"]);
    expect((await store.search(ns, { filter: { city: { $in: ["Porto", "Lima"] } } })).map((i) => i.key)).toEqual(["t1"]);
    expect(await store.search(ns, { limit: 2 })).toHaveLength(2);
    expect(await store.search(ns, { limit: 2, offset: 2 })).toHaveLength(1);
  });

  it("listNamespaces with prefix, suffix, maxDepth", async () => {
    const nss = await store.listNamespaces({ prefix: [ns[0]!, ns[1]!] });
    expect(nss).toEqual([ns, [...ns, "trips"]]);
    expect(await store.listNamespaces({ prefix: [ns[0]!, ns[1]!], suffix: ["trips"] })).toEqual([[...ns, "trips"]]);
    expect(await store.listNamespaces({ prefix: [ns[0]!, ns[1]!], maxDepth: 2 })).toEqual([ns]);
    expect(await store.listNamespaces({ prefix: ["memories", "*"], suffix: ["trips"] })).toEqual(expect.arrayContaining([[...ns, "trips"]]));
  });

  it("batch: reads see the state before the batch, puts apply after (last per key wins)", async () => {
    const [put, got, found, nss] = await store.batch([
      { namespace: ns, key: "pet", value: { text: "Alice has a dog." } },
      { namespace: ns, key: "pet", value: { text: "Alice has a cat named Miso." } },
      { namespacePrefix: ns, filter: { text: "Alice has a cat named Miso." }, limit: 5, offset: 0 },
      { limit: 10, offset: 0, matchConditions: [{ matchType: "prefix", path: ns }] },
    ] as const);
    expect(put).toBeNull(); // InMemoryStore answers null for a put
    expect(got).toBeNull();
    expect(found).toEqual([]);
    expect(nss.length).toBeGreaterThan(0);
    expect((await store.get(ns, "pet"))!.value).toEqual({ text: "Alice has a cat named Miso." });
    expect(await store.search(ns, { filter: { text: "Alice has a cat named Miso." } })).toHaveLength(1);
  });
});

describe("MnemoStore specifics", () => {
  it("search with a query is a Mnemo recall: the relevant item first, with a score", async () => {
    const store = new MnemoStore({ mnemo });
    const ns = ["memories", "bob"];
    await store.put(ns, "a", { text: "Bob's sister Clara lives in Montreal." });
    await store.put(ns, "b", { text: "Bob drives a blue Volvo." });
    await store.put(ns, "c", { text: "Bob is allergic to shellfish." });
    const hits = await store.search(ns, { query: "What car does Bob drive?", limit: 3 });
    expect(hits[0]!.key).toBe("b");
    expect(typeof hits[0]!.score).toBe("number");
    // Items are Mnemo memories of user "memories:bob": visible to the CLI, HTTP API and recall.
    const r = await mnemo.recall("Where does Clara live?", { userId: "memories:bob", budgetTokens: 200 });
    expect(r.context).toContain("Montreal");
  });

  it("a deleted item is forgotten in Mnemo (history kept) and never recalled", async () => {
    const store = new MnemoStore({ mnemo });
    const ns = ["memories", "bob"];
    await store.delete(ns, "c");
    const hits = await store.search(ns, { query: "Is Bob allergic to anything?" });
    expect(hits.map((h) => h.key)).not.toContain("c");
    const page = await mnemo.memories({ userId: "memories:bob", includeForgotten: true, limit: 50 });
    const gone = page.items.find((m) => m.text === "Bob is allergic to shellfish.");
    expect(gone?.forgottenAt).not.toBeNull();
  });

  it("the index fields choose the memory text; a custom scopeOf maps namespaces to users", async () => {
    const store = new MnemoStore({ mnemo, scopeOf: (ns) => ({ userId: ns[1]! }) });
    await store.put(["profile", "carol"], "job", { title: "nurse", note: "Carol works night shifts as a nurse." }, ["note"]);
    const page = await mnemo.memories({ userId: "carol", limit: 10 });
    expect(page.items.map((m) => m.text)).toContain("Carol works night shifts as a nurse.");
    expect((await store.get(["profile", "carol"], "job"))!.value).toEqual({ title: "nurse", note: "Carol works night shifts as a nurse." });
  });

  it("a namespace that cannot name a user is a typed INVALID_SCOPE error", async () => {
    const store = new MnemoStore({ mnemo });
    const e = await store.put(["memories", "a b"], "k", { text: "x" }).catch((x: unknown) => x);
    expect(isMnemoError(e, "INVALID_SCOPE")).toBe(true);
  });
});

describe("MnemoStore in a real StateGraph", () => {
  it("one node saves what the user said, another answers from the store's recall", async () => {
    const State = Annotation.Root({
      userId: Annotation<string>(),
      said: Annotation<string>(),
      question: Annotation<string>(),
      answer: Annotation<string>(),
    });
    const graph = new StateGraph(State)
      .addNode("save", async (state: typeof State.State, config: LangGraphRunnableConfig) => {
        await config.store!.put(["memories", state.userId], `said-${state.said.length}`, { text: state.said });
        return {};
      })
      .addNode("respond", async (state: typeof State.State, config: LangGraphRunnableConfig) => {
        const hits = await config.store!.search(["memories", state.userId], { query: state.question, limit: 1 });
        return { answer: (hits[0]?.value.text as string | undefined) ?? "I don't know." };
      })
      .addEdge(START, "save")
      .addEdge("save", "respond")
      .addEdge("respond", END);
    const app = graph.compile({ store: new MnemoStore({ mnemo }) });
    await app.invoke({ userId: "dana", said: "My daughter Lea starts school in Zurich in August.", question: "x" });
    const out = await app.invoke({ userId: "dana", said: "I prefer tea over coffee.", question: "Where does Lea go to school?" });
    expect(out.answer).toBe("My daughter Lea starts school in Zurich in August.");
  });
});
