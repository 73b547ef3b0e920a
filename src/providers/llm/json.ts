/**
 * Tolerant JSON parsing for what chat models (local ones especially) emit.
 */
import { MnemoError } from "../../core/errors.js";

const MAX_DEPTH = 200;
const MAX_STARTS = 64;
const LITERALS: Record<string, unknown> = {
  true: true, false: false, null: null,
  True: true, False: false, None: null, TRUE: true, FALSE: false, NULL: null,
  undefined: null, NaN: null, Infinity: null,
};
/** Opening quote → the characters that may close it. */
const QUOTES: Record<string, string> = {
  '"': '"', "'": "'",
  "\u201c": "\u201d\u201c\"", "\u201d": "\u201d\u201c\"", "\u201e": "\u201d\u201c\"",
  "\u2018": "\u2019\u2018'", "\u2019": "\u2019\u2018'",
};
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "/": "/", "\\": "\\", '"': '"', "'": "'" };
const NUMBER_RE = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const KEY_CHAR_RE = /[\p{L}\p{N}_$\-.]/u;

/**
 * Parses JSON from model output, repairing what models commonly get wrong:
 * `<think>` blocks, code fences (```json ... ```), prose before and after, the
 * first balanced `{...}` or `[...]` block, trailing or missing commas, `//`, `#`
 * and `/* *\/` comments, smart quotes, single-quoted strings, unescaped inner
 * quotes, raw newlines in strings, unquoted keys and bare-word values, Python
 * `True`/`False`/`None`, and truncated output (open strings, arrays and objects
 * are closed; a dangling key is dropped). Pure and synchronous.
 *
 * @throws MnemoError("PROVIDER_OUTPUT") when no JSON value can be recovered.
 * @example
 * ```ts
 * parseJsonLoose("Sure!\n```json\n{memories: [{'text': 'Caroline likes tea',},]}\n```");
 * // → { memories: [{ text: "Caroline likes tea" }] }
 * ```
 */
export function parseJsonLoose(text: string): unknown {
  if (typeof text !== "string") throw outputError("the output is not a string");
  let s = text.replace(/^\uFEFF/, "").replace(/<think>[\s\S]*?<\/think>/gi, "").trim();
  const direct = tryStrict(s);
  if (direct.ok) return direct.value;

  const fenced = fenceContent(s);
  if (fenced !== null) {
    const inFence = tryStrict(fenced);
    if (inFence.ok) return inFence.value;
    s = fenced;
  }

  // From each `{` or `[` (skipping starts nested in an earlier hit): the balanced block as
  // strict JSON, else a repairing parse. The longest span wins, so "[1]" in prose loses to the payload.
  let best: { value: unknown; span: number } | null = null;
  let after = -1;
  for (const start of startPositions(s)) {
    if (start < after) continue;
    const end = balancedEnd(s, start);
    const strict = end < 0 ? { ok: false as const } : tryStrict(s.slice(start, end + 1));
    let hit: { value: unknown; end: number } | null = strict.ok ? { value: strict.value, end: end + 1 } : null;
    if (hit === null) {
      try {
        const p = new LooseParser(s, start);
        const value = p.parseValue(0);
        if (isEmptyContainer(value) && s[p.pos - 1] !== "}" && s[p.pos - 1] !== "]") continue; // "{" alone: nothing recovered
        hit = { value, end: p.pos };
      } catch {
        continue;
      }
    }
    after = hit.end;
    if (best === null || hit.end - start > best.span) best = { value: hit.value, span: hit.end - start };
  }
  if (best !== null) return best.value;
  throw outputError(`no JSON object or array in ${JSON.stringify(text.slice(0, 200))}`);
}

function isEmptyContainer(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

function outputError(message: string): MnemoError {
  return new MnemoError("PROVIDER_OUTPUT", `No JSON could be recovered: ${message}.`);
}

function tryStrict(s: string): { ok: true; value: unknown } | { ok: false } {
  const t = s.trim();
  if (t === "" || !/^[[{"\-\d]|^(?:true|false|null)$/.test(t)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The content of the first code fence that contains `{` or `[` (an unclosed fence runs to the end). */
function fenceContent(s: string): string | null {
  const re = /```[\w-]*[^\S\n]*\n?([\s\S]*?)(?:```|$)/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const body = m[1] ?? "";
    if (/[[{]/.test(body)) return body.trim();
  }
  return null;
}

function startPositions(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length && out.length < MAX_STARTS; i++) {
    if (s[i] === "{" || s[i] === "[") out.push(i);
  }
  return out;
}

/** Index of the bracket closing the one at `start` (string-aware), or -1. */
function balancedEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** A recursive-descent parser that repairs as it goes; throws a plain Error when it cannot. */
class LooseParser {
  pos: number;
  constructor(private readonly s: string, start: number) {
    this.pos = start;
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new Error("too deep");
    this.skip();
    const c = this.s[this.pos];
    if (c === undefined) throw new Error("end of input");
    if (c === "{") return this.parseObject(depth);
    if (c === "[") return this.parseArray(depth);
    if (c in QUOTES) return this.parseString();
    if (/[-+.\d]/.test(c)) return this.parseNumberish();
    if (/[\p{L}_$]/u.test(c)) return this.parseBare();
    throw new Error(`unexpected ${c}`);
  }

  private parseObject(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    for (;;) {
      this.skipCommas();
      const c = this.s[this.pos];
      if (c === undefined) return out; // truncated
      if (c === "}") {
        this.pos++;
        return out;
      }
      if (c === "]") throw new Error("] in object");
      const key = this.parseKey();
      this.skip();
      if (this.s[this.pos] === ":" || this.s[this.pos] === "=") this.pos++;
      this.skip();
      const next = this.s[this.pos];
      if (next === undefined) return out; // truncated after the key: drop it
      if (next === "," || next === "}") continue; // key without value: drop it
      out[key] = this.parseValue(depth + 1);
      this.skip();
      const after = this.s[this.pos];
      if (after !== undefined && after !== "," && after !== "}" && !(after in QUOTES) && !KEY_CHAR_RE.test(after)) {
        throw new Error(`unexpected ${after} after value`);
      }
    }
  }

  private parseArray(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    for (;;) {
      this.skipCommas();
      const c = this.s[this.pos];
      if (c === undefined) return out; // truncated
      if (c === "]") {
        this.pos++;
        return out;
      }
      if (c === "}") throw new Error("} in array");
      out.push(this.parseValue(depth + 1));
    }
  }

  private parseKey(): string {
    const c = this.s[this.pos] ?? "";
    if (c in QUOTES) return this.parseString();
    const start = this.pos;
    while (this.pos < this.s.length && KEY_CHAR_RE.test(this.s[this.pos] ?? "")) this.pos++;
    if (this.pos === start) throw new Error(`unexpected ${c} as key`);
    return this.s.slice(start, this.pos);
  }

  /** A string; a quote closes it only when followed by `, } ] :`, a newline or the end (else it is literal). */
  private parseString(): string {
    const open = this.s[this.pos] ?? '"';
    const closers = QUOTES[open] ?? '"';
    this.pos++;
    let out = "";
    while (this.pos < this.s.length) {
      const c = this.s[this.pos] as string;
      if (c === "\\") {
        const e = this.s[this.pos + 1];
        if (e === undefined) {
          this.pos++;
          break;
        }
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(this.s.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else {
          out += ESCAPES[e] ?? e;
          this.pos += 2;
        }
        continue;
      }
      if (closers.includes(c) && this.closesHere(this.pos + 1)) {
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
    return out; // truncated: close the string
  }

  private closesHere(i: number): boolean {
    while (i < this.s.length && (this.s[i] === " " || this.s[i] === "\t" || this.s[i] === "\r")) i++;
    const c = this.s[i];
    return c === undefined || c === "," || c === "}" || c === "]" || c === ":" || c === "\n" || (c === "/" && this.s[i + 1] === "/");
  }

  private parseNumberish(): unknown {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.s);
    if (m !== null && this.atDelimiter(this.pos + m[0].length)) {
      this.pos += m[0].length;
      const n = Number(m[0]);
      return Number.isFinite(n) ? n : null;
    }
    return this.parseBare();
  }

  /** A literal (`true`, `None`, ...) or an unquoted word/phrase read up to `, } ]` or a newline. */
  private parseBare(): unknown {
    const word = /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(this.s.slice(this.pos, this.pos + 64))?.[0];
    if (word !== undefined && Object.hasOwn(LITERALS, word) && this.atDelimiter(this.pos + word.length)) {
      this.pos += word.length;
      return LITERALS[word];
    }
    const start = this.pos;
    while (this.pos < this.s.length && !",}]\n".includes(this.s[this.pos] ?? "")) this.pos++;
    const raw = this.s.slice(start, this.pos).trim();
    if (raw === "") throw new Error("empty value");
    return raw;
  }

  private atDelimiter(i: number): boolean {
    while (i < this.s.length && /[ \t\r]/.test(this.s[i] ?? "")) i++;
    const c = this.s[i];
    return c === undefined || ",}]\n/#".includes(c);
  }

  private skipCommas(): void {
    this.skip();
    while (this.s[this.pos] === ",") {
      this.pos++;
      this.skip();
    }
  }

  /** Skips whitespace and comments (`//`, `#`, `/* *\/`) and stray `...`. */
  private skip(): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) return;
      if (/\s/.test(c)) this.pos++;
      else if (c === "/" && this.s[this.pos + 1] === "/") this.skipLine();
      else if (c === "#") this.skipLine();
      else if (c === "/" && this.s[this.pos + 1] === "*") {
        const end = this.s.indexOf("*/", this.pos + 2);
        this.pos = end < 0 ? this.s.length : end + 2;
      } else if (this.s.startsWith("...", this.pos) || c === "\u2026") {
        this.pos += c === "\u2026" ? 1 : 3;
      } else return;
    }
  }

  private skipLine(): void {
    const nl = this.s.indexOf("\n", this.pos);
    this.pos = nl < 0 ? this.s.length : nl + 1;
  }
}
