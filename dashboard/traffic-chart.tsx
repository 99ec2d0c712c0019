// Throughput and write latency over the last minutes, summed over the members from the 5-second
// buckets each one keeps (status().traffic), drawn as two small SVG line charts.

import type { TrafficBucket } from "../durable-objects/traffic-meter.ts";
import type { MemberView } from "./types.ts";

interface Point {
  readonly startMs: number;
  readonly writesPerS: number;
  readonly readsPerS: number;
  /** Mean and slowest write of the bucket (ms); null when there was none. */
  readonly writeMeanMs: number | null;
  readonly writeMaxMs: number | null;
}

/** The ensemble's buckets: every member's, summed by bucket, oldest first, gaps as zeros. */
export function trafficPoints(members: readonly MemberView[], nowMs: number): Point[] {
  const bucketMs = members.find((m) => m.traffic)?.traffic?.bucketMs ?? 5_000;
  const slots = 60;
  const newest = nowMs - (nowMs % bucketMs);
  const sums = new Map<number, { writes: number; reads: number; sum: number; max: number }>();
  for (const m of members) {
    for (const b of m.traffic?.buckets ?? ([] as TrafficBucket[])) {
      const s = sums.get(b.startMs) ?? { writes: 0, reads: 0, sum: 0, max: 0 };
      s.writes += b.writes;
      s.reads += b.reads;
      s.sum += b.writeMsSum;
      s.max = Math.max(s.max, b.writeMsMax);
      sums.set(b.startMs, s);
    }
  }
  const points: Point[] = [];
  for (let i = slots - 1; i >= 0; i--) {
    const startMs = newest - i * bucketMs;
    // The newest bucket is still filling: a rate over the time it has covered so far.
    const spanS = Math.max(1, i === 0 ? nowMs - startMs : bucketMs) / 1000;
    const s = sums.get(startMs);
    points.push({
      startMs,
      writesPerS: s ? s.writes / spanS : 0,
      readsPerS: s ? s.reads / spanS : 0,
      writeMeanMs: s && s.writes > 0 ? s.sum / s.writes : null,
      writeMaxMs: s && s.writes > 0 ? s.max : null,
    });
  }
  return points;
}

const width = 600;
const height = 120;

function xy(values: Array<number | null>, top: number): Array<[number, number]> {
  // Room on the right for the newest point's mark.
  const step = (width - 4) / Math.max(1, values.length - 1);
  return values.flatMap(
    (v, i): Array<[number, number]> =>
      v === null ? [] : [[i * step, height - (v / top) * (height - 8)]],
  );
}

const line = (points: Array<[number, number]>) =>
  points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");

const round = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function Chart(props: {
  title: string;
  unit: string;
  series: Array<{ name: string; cls: string; values: Array<number | null> }>;
}) {
  const top = Math.max(1, ...props.series.flatMap((s) => s.values.map((v) => v ?? 0))) * 1.1;
  const latest = props.series
    .map(
      (s) =>
        `${s.name} ${round([...s.values].reverse().find((v) => v !== null) ?? 0)} ${props.unit}`,
    )
    .join(", ");
  return (
    <figure class="chart">
      <figcaption>
        {props.title}{" "}
        <span class="legend">
          {props.series.map((s) => (
            <span key={s.name} class={`key ${s.cls}`}>
              {s.name}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${props.title}, last 5 minutes; latest: ${latest}`}
      >
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} class="axis" />
        {props.series.map((s) => {
          const points = xy(s.values, top);
          const last = points.at(-1);
          return (
            <g key={s.name}>
              <polyline points={line(points)} class={`series ${s.cls}`} />
              {/* A lone point draws no line: mark the newest one. */}
              {last ? <circle cx={last[0]} cy={last[1]} r="3" class={s.cls} /> : null}
            </g>
          );
        })}
      </svg>
      <div class="scale">
        <span>5 min ago</span>
        <span>
          top {round(top)} {props.unit} · latest: {latest}
        </span>
        <span>now</span>
      </div>
    </figure>
  );
}

export function TrafficChart(props: { members: readonly MemberView[]; nowMs: number }) {
  const points = trafficPoints(props.members, props.nowMs);
  return (
    <div class="charts">
      <Chart
        title="Throughput"
        unit="ops/s"
        series={[
          { name: "writes", cls: "writes", values: points.map((p) => p.writesPerS) },
          { name: "reads", cls: "reads", values: points.map((p) => p.readsPerS) },
        ]}
      />
      <Chart
        title="Write latency (arrival to answer, at the member that served it)"
        unit="ms"
        series={[
          { name: "mean", cls: "writes", values: points.map((p) => p.writeMeanMs) },
          { name: "slowest", cls: "max", values: points.map((p) => p.writeMaxMs) },
        ]}
      />
    </div>
  );
}
