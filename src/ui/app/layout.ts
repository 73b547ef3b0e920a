/**
 * A small force-directed layout for the entity graph (no dependency): nodes repel, edges pull,
 * a weak pull to the centre keeps components on screen. Deterministic: nodes start on a circle
 * in the given order, so the same graph always gets the same picture.
 */

/**
 * A node to place; `r` is its radius.
 *
 * @example
 * ```ts
 * const n: LayoutNode = { id: "ent_1", r: 10 };
 * ```
 */
export interface LayoutNode {
  id: string;
  r: number;
}

/**
 * An edge between two node ids; heavier edges pull harder.
 *
 * @example
 * ```ts
 * const e: LayoutEdge = { source: "ent_1", target: "ent_2", weight: 3 };
 * ```
 */
export interface LayoutEdge {
  source: string;
  target: string;
  weight?: number;
}

/**
 * A placed node.
 *
 * @example
 * ```ts
 * const p: Placed = { id: "ent_1", x: 120, y: 80, r: 10 };
 * ```
 */
export interface Placed {
  id: string;
  x: number;
  y: number;
  r: number;
}

/**
 * Places nodes in a `width` × `height` box.
 *
 * @example
 * ```ts
 * const pos = forceLayout([{ id: "a", r: 8 }, { id: "b", r: 8 }], [{ source: "a", target: "b" }], 400, 300);
 * ```
 */
export function forceLayout(nodes: LayoutNode[], edges: LayoutEdge[], width: number, height: number, iterations = 300): Placed[] {
  const n = nodes.length;
  const cx = width / 2;
  const cy = height / 2;
  if (n === 0) return [];
  if (n === 1) return [{ id: nodes[0]!.id, x: cx, y: cy, r: nodes[0]!.r }];
  const radius = Math.min(width, height) * 0.35;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  nodes.forEach((_, i) => {
    const a = (2 * Math.PI * i) / n;
    x[i] = cx + radius * Math.cos(a);
    y[i] = cy + radius * Math.sin(a);
  });
  const index = new Map(nodes.map((nd, i) => [nd.id, i]));
  const links = edges
    .map((e) => ({ s: index.get(e.source), t: index.get(e.target), w: e.weight ?? 1 }))
    .filter((l): l is { s: number; t: number; w: number } => l.s !== undefined && l.t !== undefined && l.s !== l.t);
  const area = width * height;
  const k = Math.sqrt(area / n) * 0.6;
  let temp = Math.min(width, height) / 8;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ddx = x[i]! - x[j]!;
        let ddy = y[i]! - y[j]!;
        let d2 = ddx * ddx + ddy * ddy;
        if (d2 < 0.01) {
          ddx = 0.1 * (i - j);
          ddy = 0.1;
          d2 = ddx * ddx + ddy * ddy;
        }
        const d = Math.sqrt(d2);
        const minGap = nodes[i]!.r + nodes[j]!.r + 12;
        const f = (k * k) / d + (d < minGap ? (minGap - d) * 2 : 0);
        dx[i]! += (ddx / d) * f;
        dy[i]! += (ddy / d) * f;
        dx[j]! -= (ddx / d) * f;
        dy[j]! -= (ddy / d) * f;
      }
    }
    for (const l of links) {
      const ddx = x[l.s]! - x[l.t]!;
      const ddy = y[l.s]! - y[l.t]!;
      const d = Math.max(0.01, Math.sqrt(ddx * ddx + ddy * ddy));
      const f = ((d * d) / k) * Math.min(3, 1 + Math.log(l.w));
      dx[l.s]! -= (ddx / d) * f;
      dy[l.s]! -= (ddy / d) * f;
      dx[l.t]! += (ddx / d) * f;
      dy[l.t]! += (ddy / d) * f;
    }
    for (let i = 0; i < n; i++) {
      dx[i]! += (cx - x[i]!) * 0.05 * k * 0.1;
      dy[i]! += (cy - y[i]!) * 0.05 * k * 0.1;
      const d = Math.sqrt(dx[i]! * dx[i]! + dy[i]! * dy[i]!);
      if (d > 0) {
        const step = Math.min(d, temp);
        x[i]! += (dx[i]! / d) * step;
        y[i]! += (dy[i]! / d) * step;
      }
      const r = nodes[i]!.r + 4;
      x[i] = Math.min(width - r, Math.max(r, x[i]!));
      y[i] = Math.min(height - r, Math.max(r, y[i]!));
    }
    temp = Math.max(0.5, temp * 0.98);
  }
  return nodes.map((nd, i) => ({ id: nd.id, x: x[i]!, y: y[i]!, r: nd.r }));
}
