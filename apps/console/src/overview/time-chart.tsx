import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  /** A CSS colour for the line. */
  stroke: string;
  values: (number | null)[];
}

/**
 * A small line chart over time (uPlot, canvas): one x axis of epoch seconds and one or more
 * series. The chart is made once and given new data as it comes; it follows its box's width.
 */
export function TimeChart({ title, times, series, format }: { title: string; times: number[]; series: Series[]; format: (value: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = [times, ...series.map((line) => line.values)] as uPlot.AlignedData;

  useEffect(() => {
    const element = box.current!;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 240),
      height: 160,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // From the first point, up to the last five minutes, and at least one minute wide.
      scales: { x: { time: true, range: (_plot, min, max) => [Math.min(Math.max(min, max - 300), max - 60), max] } },
      axes: [{}, { values: (_plot, values) => values.map(format), size: 60 }],
      series: [
        {},
        ...series.map((line) => ({
          label: line.label,
          stroke: line.stroke,
          width: 2,
          spanGaps: true,
          value: (_plot: uPlot, value: number | null) => (value === null ? '—' : format(value)),
        })),
      ],
    };
    chart.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(element.clientWidth, 240), height: 160 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [series.length]);

  useEffect(() => {
    chart.current?.setData(data);
  });

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={title} />
    </figure>
  );
}
