/**
 * A short run of bench/server.ts: concurrent clients, mixed recall and remember on one
 * server (a child process), zero errors allowed.
 */
import { describe, expect, it } from "vitest";
import { formatReport, runServerBench } from "../bench/server.js";

describe("load (short bench/server.ts run)", () => {
  it("serves mixed recall and remember from 20 connections with 0 errors", async () => {
    const report = await runServerBench({ seconds: 3, connections: 20 });
    console.log(formatReport(report));
    expect(report.errors).toBe(0);
    for (const r of report.routes) {
      expect(r.requests).toBeGreaterThan(20);
      expect(r.non2xx).toBe(0);
      expect(r.p99).toBeGreaterThan(0);
    }
  }, 60_000);
});
