import { describe, expect, it } from "vitest";
import { isMnemoError } from "../src/core/errors.js";
import { parseJsonLoose } from "../src/providers/llm/json.js";

const memories = { memories: [{ kind: "fact", text: "Caroline likes tea", sources: [1] }] };

const cases: [name: string, input: string, expected: unknown][] = [
  ["valid JSON", '{"memories":[{"kind":"fact","text":"Caroline likes tea","sources":[1]}]}', memories],
  ["code fence with language", '```json\n{"memories":[{"kind":"fact","text":"Caroline likes tea","sources":[1]}]}\n```', memories],
  ["bare code fence with prose around", 'Here you go:\n```\n{"a": 1}\n```\nLet me know!', { a: 1 }],
  ["unclosed code fence", '```json\n{"a": [1, 2]}', { a: [1, 2] }],
  ["prose before and after", 'Sure! The memories are {"a": "b"} and that is all.', { a: "b" }],
  ["bracketed prose before the payload", 'From messages [1] and [2], I found: {"a": {"b": [1, 2, 3]}}', { a: { b: [1, 2, 3] } }],
  ["trailing commas", '{"a": [1, 2, 3,], "b": {"c": 1,},}', { a: [1, 2, 3], b: { c: 1 } }],
  ["line and block comments", '{\n  "a": 1, // the first\n  /* the second */ "b": 2\n  # hash comment\n}', { a: 1, b: 2 }],
  ["smart double quotes", "{\u201ca\u201d: \u201cCaroline\u2019s cat\u201d}", { a: "Caroline\u2019s cat" }],
  ["single-quoted strings with an apostrophe", "{'text': 'Caroline's dog is called Max', 'n': 2}", { text: "Caroline's dog is called Max", n: 2 }],
  ["unquoted keys", '{memories: [{kind: "fact", importance: 0.7}]}', { memories: [{ kind: "fact", importance: 0.7 }] }],
  ["Python literals", "{'a': True, 'b': False, 'c': None}", { a: true, b: false, c: null }],
  ["truncated inside a string", '{"memories":[{"kind":"fact","text":"Caroline likes pott', { memories: [{ kind: "fact", text: "Caroline likes pott" }] }],
  ["truncated after a key", '{"a": 1, "b":', { a: 1 }],
  ["truncated inside an array", '[{"a": 1}, {"a": 2', [{ a: 1 }, { a: 2 }]],
  ["truncated mid-number", '{"a": [1, 2, 3.', { a: [1, 2, 3] }],
  ["unescaped inner quotes", '{"text": "She said "hi" to him", "x": 1}', { text: 'She said "hi" to him', x: 1 }],
  ["raw newline in a string", '{"a": "line one\nline two"}', { a: "line one\nline two" }],
  ["missing comma between lines", '{\n  "a": "x"\n  "b": "y"\n}', { a: "x", b: "y" }],
  ["bare word values", '{"kind": fact, "date": 2023-05-08}', { kind: "fact", date: "2023-05-08" }],
  ["think block before the answer", '<think>maybe {"wrong": true}</think>\n{"right": true}', { right: true }],
  ["top-level array", '[1, "two", null]', [1, "two", null]],
  ["escapes kept", '{"a": "tab\\there \\u00e9"}', { a: "tab\there \u00e9" }],
  ["byte order mark", '\uFEFF{"a": 1}', { a: 1 }],
];

describe("parseJsonLoose", () => {
  it.each(cases)("repairs %s", (_name, input, expected) => {
    expect(parseJsonLoose(input)).toEqual(expected);
  });

  it.each([
    ["plain prose", "I'm sorry, I cannot help with that."],
    ["empty output", ""],
    ["whitespace", "   \n "],
    ["lone brackets", "{{{{"],
    ["truncated right after the brace", '{"a":'],
    ["symbols", "<<<>>> ### @@@"],
  ])("throws PROVIDER_OUTPUT for %s", (_name, input) => {
    let error: unknown;
    try {
      parseJsonLoose(input);
    } catch (e) {
      error = e;
    }
    expect(isMnemoError(error, "PROVIDER_OUTPUT")).toBe(true);
  });

  it("is deterministic and does not blow up on deep nesting", () => {
    const deep = "[".repeat(5000);
    expect(() => parseJsonLoose(deep)).toThrow();
    const nested = `${"[".repeat(50)}1${"]".repeat(50)}`;
    expect(parseJsonLoose(nested)).toEqual(JSON.parse(nested));
  });
});
