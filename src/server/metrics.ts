import { existsSync, statSync } from "node:fs";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Mnemo } from "../mnemo.js";

/**
 * Prometheus metrics of one server (own registry, so several apps can live in one process):
 * `mnemo_http_requests_total{method,route,status}`, `mnemo_http_request_duration_seconds{method,route}`,
 * `mnemo_http_requests_in_flight`, `mnemo_writes_total{op}` (counters kept as the server writes:
 * a scrape never counts rows, so it costs the same on a store of any size) and
 * `mnemo_store_bytes` (two file stats). Renderings are shared for one second.
 *
 * @example
 * ```ts
 * const metrics = new ServerMetrics({ mnemo, dbPath: "./mnemo.db" });
 * metrics.observe("POST", "/v1/recall", 200, 0.004);
 * const text = await metrics.render();
 * ```
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly latency: Histogram<"method" | "route">;
  readonly inFlight: Gauge;
  private readonly writes: Counter<"op">;
  private cached: { at: number; text: Promise<string> } | null = null;

  constructor(options: { mnemo?: Mnemo | undefined; dbPath?: string | null | undefined }) {
    const registers = [this.registry];
    this.requests = new Counter({ name: "mnemo_http_requests_total", help: "HTTP requests by route and status.", labelNames: ["method", "route", "status"], registers });
    this.latency = new Histogram({
      name: "mnemo_http_request_duration_seconds",
      help: "HTTP request latency by route.",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inFlight = new Gauge({ name: "mnemo_http_requests_in_flight", help: "Requests being handled.", registers });
    this.writes = new Counter({ name: "mnemo_writes_total", help: "Records written by this server, by operation (maintained counters: scraping never counts tables).", labelNames: ["op"], registers });
    const { dbPath } = options;
    new Gauge({
      name: "mnemo_store_bytes",
      help: "Size of the SQLite files (database + WAL), in bytes.",
      registers,
      collect() {
        if (!dbPath || dbPath === ":memory:") return;
        let n = 0;
        for (const p of [dbPath, `${dbPath}-wal`]) if (existsSync(p)) n += statSync(p).size;
        this.set(n);
      },
    });
  }

  /**
   * Records one finished request.
   *
   * @example
   * ```ts
   * metrics.observe("GET", "/v1/memories", 200, 0.002);
   * ```
   */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  /**
   * The Prometheus text exposition.
   *
   * @example
   * ```ts
   * res.end(await metrics.render());
   * ```
   */
  render(): Promise<string> {
    // Scrapes within one second share one rendering.
    const now = Date.now();
    if (this.cached && now - this.cached.at < 1000) return this.cached.text;
    const text = this.registry.metrics();
    this.cached = { at: now, text };
    return text;
  }

  /**
   * Adds to the write counters (`mnemo_writes_total{op}`), from what a route reports.
   *
   * @example
   * ```ts
   * metrics.count({ episodes_added: 3, memories_added: 2 });
   * ```
   */
  count(counts: Record<string, number>): void {
    for (const [op, n] of Object.entries(counts)) if (n > 0) this.writes.inc({ op }, n);
  }

  /** Content-Type of {@link ServerMetrics.render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
