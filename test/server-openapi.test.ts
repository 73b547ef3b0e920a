import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../src/server/routes/index.js";
import { createTestApp, type TestApp } from "./support/server-harness.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const TYPES = new Set(["null", "boolean", "object", "array", "number", "string", "integer"]);
/** Keywords of JSON Schema 2020-12 (core, applicator, validation, meta-data, format, content, unevaluated) plus OpenAPI's extras. */
const KEYWORDS = new Set([
  "$id", "$schema", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
  "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items", "contains",
  "properties", "patternProperties", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
  "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
  "dependentRequired", "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "format",
  "contentEncoding", "contentMediaType", "contentSchema", "discriminator", "xml", "externalDocs", "example",
]);

const isObj = (v: Json | undefined): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function resolvePointer(doc: Obj, ref: string): Json | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let cur: Json | undefined = doc;
  for (const raw of ref.slice(2).split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    cur = isObj(cur) ? cur[part] : Array.isArray(cur) ? cur[Number(part)] : undefined;
  }
  return cur;
}

/** Checks one schema against the 2020-12 vocabulary; returns problems. */
function checkSchema(s: Json, where: string, problems: string[]): void {
  if (typeof s === "boolean") return;
  if (!isObj(s)) return void problems.push(`${where}: schema is not an object or boolean`);
  for (const [k, v] of Object.entries(s)) {
    if (!KEYWORDS.has(k) && !k.startsWith("x-")) problems.push(`${where}: unknown keyword ${k}`);
    if (k === "nullable") problems.push(`${where}: 'nullable' is OpenAPI 3.0, not 2020-12`);
    if ((k === "exclusiveMinimum" || k === "exclusiveMaximum") && typeof v !== "number") problems.push(`${where}: ${k} must be a number in 2020-12`);
    if (k === "items" && Array.isArray(v)) problems.push(`${where}: array-form items is draft-07; use prefixItems`);
    if (k === "$schema" && v !== "https://json-schema.org/draft/2020-12/schema") problems.push(`${where}: $schema ${String(v)}`);
    if (k === "type") for (const t of Array.isArray(v) ? v : [v]) if (typeof t !== "string" || !TYPES.has(t)) problems.push(`${where}: bad type ${String(t)}`);
    if (k === "required" && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) problems.push(`${where}: required must be a string array`);
    if (k === "pattern") {
      try {
        new RegExp(String(v), "u");
      } catch {
        problems.push(`${where}: pattern is not an ECMA-262 regex`);
      }
    }
    if (["properties", "patternProperties", "$defs", "dependentSchemas"].includes(k) && isObj(v)) for (const [n, sub] of Object.entries(v)) checkSchema(sub, `${where}/${k}/${n}`, problems);
    if (["items", "additionalProperties", "propertyNames", "not", "if", "then", "else", "contains", "unevaluatedItems", "unevaluatedProperties", "contentSchema"].includes(k) && !Array.isArray(v)) checkSchema(v, `${where}/${k}`, problems);
    if (["allOf", "anyOf", "oneOf", "prefixItems"].includes(k)) {
      if (!Array.isArray(v)) problems.push(`${where}: ${k} must be an array`);
      else v.forEach((sub, i) => checkSchema(sub, `${where}/${k}/${i}`, problems));
    }
  }
}

describe("GET /openapi.json", () => {
  let t: TestApp;
  let doc: Obj;
  beforeAll(async () => {
    t = await createTestApp();
    const r = await t.request("/openapi.json");
    expect(r.status).toBe(200);
    doc = (await r.json()) as Obj;
  });
  afterAll(() => t.close());

  it("is an OpenAPI 3.1.0 document with info, paths and components", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(isObj(doc.info) && typeof doc.info.title === "string" && typeof doc.info.version === "string").toBe(true);
    expect(isObj(doc.paths)).toBe(true);
    expect(isObj(doc.components) && isObj(doc.components.securitySchemes)).toBe(true);
  });

  it("documents every route, each operation with responses and a unique operationId", () => {
    const paths = doc.paths as Obj;
    const ids = new Set<string>();
    for (const r of ROUTES) expect(isObj(paths[r.meta.path]) && isObj((paths[r.meta.path] as Obj)[r.meta.method])).toBe(true);
    for (const [path, item] of Object.entries(paths)) {
      expect(path.startsWith("/")).toBe(true);
      for (const [method, op] of Object.entries(item as Obj)) {
        expect(METHODS).toContain(method);
        expect(isObj(op)).toBe(true);
        const o = op as Obj;
        expect(isObj(o.responses) && Object.keys(o.responses).length > 0).toBe(true);
        for (const [status, res] of Object.entries(o.responses as Obj)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(isObj(res) && typeof res.description === "string").toBe(true);
        }
        expect(ids.has(String(o.operationId))).toBe(false);
        ids.add(String(o.operationId));
        // Every path template variable has a required path parameter.
        for (const v of path.match(/\{(\w+)\}/g) ?? []) {
          const p = (o.parameters as Obj[]).find((x) => x.in === "path" && x.name === v.slice(1, -1));
          expect(p?.required).toBe(true);
        }
        for (const p of (o.parameters ?? []) as Obj[]) expect(["path", "query", "header", "cookie"]).toContain(p.in);
        for (const s of (o.security ?? []) as Obj[]) for (const name of Object.keys(s)) expect(Object.keys((doc.components as Obj).securitySchemes as Obj)).toContain(name);
      }
    }
  });

  it("resolves every $ref", () => {
    const refs: string[] = [];
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObj(v)) for (const [k, x] of Object.entries(v)) (k === "$ref" && typeof x === "string" ? refs.push(x) : walk(x));
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(resolvePointer(doc, r), r).toBeDefined();
  });

  it("has JSON Schema 2020-12 compatible schemas", async () => {
    const problems: string[] = [];
    const schemas: Array<[string, Json]> = [];
    for (const [name, s] of Object.entries((doc.components as Obj).schemas as Obj)) schemas.push([`#/components/schemas/${name}`, s]);
    for (const [path, item] of Object.entries(doc.paths as Obj)) {
      for (const [method, op] of Object.entries(item as Obj)) {
        const o = op as Obj;
        for (const p of (o.parameters ?? []) as Obj[]) schemas.push([`${method} ${path} param ${String(p.name)}`, p.schema ?? {}]);
        for (const c of Object.values(((o.requestBody as Obj | undefined)?.content ?? {}) as Obj)) schemas.push([`${method} ${path} body`, (c as Obj).schema ?? {}]);
        for (const res of Object.values(o.responses as Obj)) for (const c of Object.values(((res as Obj).content ?? {}) as Obj)) schemas.push([`${method} ${path} response`, (c as Obj).schema ?? {}]);
      }
    }
    for (const [where, s] of schemas) checkSchema(s, where, problems);
    expect(problems).toEqual([]);
    // Where Ajv is resolvable (it comes with the MCP SDK), also compile each schema against the 2020-12 meta-schema.
    type AjvCtor = new (o: object) => { compile(s: object): unknown };
    let Ajv2020: AjvCtor | null = null;
    try {
      Ajv2020 = ((await import("ajv/dist/2020.js")) as unknown as { default: AjvCtor }).default;
    } catch {
      Ajv2020 = null;
    }
    if (Ajv2020) {
      const ajv = new Ajv2020({ strict: true, allErrors: true, strictTypes: false, validateFormats: false, keywords: ["example", "discriminator", "xml", "externalDocs"] });
      expect(() => ajv.compile({ type: "strnig" })).toThrow();
      const defs = JSON.parse(JSON.stringify((doc.components as Obj).schemas).replace(/"#\/components\/schemas\//g, '"#/$defs/')) as Obj;
      for (const [where, s] of schemas) {
        const body = JSON.parse(JSON.stringify(s).replace(/"#\/components\/schemas\//g, '"#/$defs/')) as Obj;
        // A $ref next to $defs is fine in 2020-12 (sibling keywords apply).
        expect(() => ajv.compile({ ...body, $defs: defs }), where).not.toThrow();
      }
    }
  });
});
