import { existsSync, statSync } from "node:fs";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Mnemo } from "../mnemo.js";

/**
 * Prometheus metrics of one server (own registry, so several apps can live in one process):
 * `mnemo_http_requests_total{method,route,status}`, `mnemo_http_request_duration_seconds{method,route}`,
 * `mnemo_http_requests_in_flight`, `mnemo_store_records{type}` and `mnemo_store_bytes`.
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

  constructor(options: { mnemo: Mnemo; dbPath?: string | null | undefined }) {
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
    const { mnemo, dbPath } = options;
    new Gauge({
      name: "mnemo_store_records",
      help: "Records in the store, by type.",
      labelNames: ["type"],
      registers,
      async collect() {
        try {
          const s = await mnemo.stats();
          for (const [k, v] of Object.entries(s)) this.set({ type: k }, v);
        } catch {
          // A closed store reports nothing.
        }
      },
    });
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
    return this.registry.metrics();
  }

  /** Content-Type of {@link ServerMetrics.render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
