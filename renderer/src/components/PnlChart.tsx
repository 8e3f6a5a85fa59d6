// Equity, realized and unrealized PnL over time, sampled from snapshots,
// LTTB-downsampled to about the chart's pixel width, no animation.
import { useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { clock, money } from '../lib/format.js';
import { lttbMulti } from '../lib/lttb.js';
import { PNL_SERIES } from '../store/types.js';
import { useCockpit } from '../store/store.js';
import { Panel } from './Panel.js';

function useSize<T extends HTMLElement>() {
  const ref = useRef<T | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (!box) return;
      const width = Math.floor(box.width);
      const height = Math.floor(box.height);
      setSize((prev) => (prev.width === width && prev.height === height ? prev : { width, height }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, size] as const;
}

const tickTime = (t: number) => clock(t);
const tickMoney = (v: number) => (Math.abs(v) >= 1_000_000 ? v.toFixed(0) : v.toFixed(2));
/** At least a minute of axis, so a young series grows rightwards instead of stretching. */
const MIN_SPAN_MS = 60_000;
const tooltipLabel = (t: unknown) => (typeof t === 'number' ? clock(t) : '');
const tooltipValue = (v: unknown) => (typeof v === 'number' ? money(v) : String(v));
const tooltipStyle = { background: '#11161d', border: '1px solid #2a3340', fontSize: 11 };

export function PnlChart() {
  const points = useCockpit((s) => s.pnl.points);
  const [ref, { width, height }] = useSize<HTMLDivElement>();
  const data = useMemo(
    () => (width > 0 ? lttbMulti(points, Math.max(3, Math.floor(width)), (p) => p.t, PNL_SERIES) : []),
    [points, width],
  );
  const last = points[points.length - 1];
  const first = points[0];
  const domain: [number, number] =
    first && last ? [first.t, Math.max(last.t, first.t + MIN_SPAN_MS)] : [0, 1];
  return (
    <Panel
      title="PnL"
      className="pnl"
      extra={
        <span className="muted">
          {points.length} samples{data.length < points.length ? ` · ${data.length} drawn` : ''}
          {last ? ` · equity ${money(last.equity)}` : ''}
        </span>
      }
    >
      <div className="pnl-chart" data-testid="pnl-chart" data-points={points.length} ref={ref}>
        {width > 0 && height > 0 && data.length > 0 ? (
          <LineChart
            width={width}
            height={height}
            data={data}
            margin={{ top: 6, right: 8, bottom: 0, left: 0 }}
          >
            <CartesianGrid stroke="#1f2630" strokeDasharray="2 4" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={domain}
              allowDataOverflow
              tickFormatter={tickTime}
              stroke="#6b7785"
              fontSize={10}
              minTickGap={48}
            />
            <YAxis
              yAxisId="equity"
              domain={['auto', 'auto']}
              tickFormatter={tickMoney}
              stroke="#6b7785"
              fontSize={10}
              width={64}
            />
            <YAxis
              yAxisId="pnl"
              orientation="right"
              domain={['auto', 'auto']}
              tickFormatter={tickMoney}
              stroke="#6b7785"
              fontSize={10}
              width={56}
            />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={tooltipLabel}
              formatter={tooltipValue}
              contentStyle={tooltipStyle}
            />
            <Legend verticalAlign="top" height={18} iconSize={8} wrapperStyle={{ fontSize: 11 }} />
            <Line
              yAxisId="equity"
              dataKey="equity"
              name="equity"
              stroke="#4ea1ff"
              dot={false}
              strokeWidth={1.5}
              isAnimationActive={false}
            />
            <Line
              yAxisId="pnl"
              dataKey="realized"
              name="realized"
              stroke="#3ecf8e"
              dot={false}
              strokeWidth={1.25}
              isAnimationActive={false}
            />
            <Line
              yAxisId="pnl"
              dataKey="unrealized"
              name="unrealized"
              stroke="#f0b43c"
              dot={false}
              strokeWidth={1.25}
              isAnimationActive={false}
            />
          </LineChart>
        ) : (
          <div className="placeholder">PnL appears once a session runs.</div>
        )}
      </div>
    </Panel>
  );
}
