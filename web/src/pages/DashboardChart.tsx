import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartDataset } from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the parts of chart.js the dashboard draws (bar charts): the rest stays out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** The deadline statuses' colours, the same in every chart (red breached, amber at risk, blue open, green met). */
export const STATUS_COLOURS = { open: '#3b82f6', 'at-risk': '#d97706', breached: '#b42318', met: '#1a7f37' } as const;

export interface BarChartProps {
  title: string;
  labels: string[];
  datasets: ChartDataset<'bar', number[]>[];
  stacked?: boolean;
  horizontal?: boolean;
  /** Clicking a bar: its label's index and its dataset's index. */
  onBarClick?: (labelIndex: number, datasetIndex: number) => void;
  testId?: string;
}

/** A bar chart of chart.js on a canvas, redrawn when its data change, destroyed with the component. */
export function BarChart({ title, labels, datasets, stacked = false, horizontal = false, onBarClick, testId }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar', number[], string> | null>(null);
  const click = useRef(onBarClick);
  click.current = onBarClick;

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart<'bar', number[], string>(canvas.current, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { stacked, ...(horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : {}) },
          y: { stacked, ...(horizontal ? {} : { beginAtZero: true, ticks: { precision: 0 } }) },
        },
        onClick: (_event, elements) => {
          const hit = elements[0];
          if (hit && click.current) click.current(hit.index, hit.datasetIndex);
        },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // A new chart when the axes change; the data alone are updated in place below.
  }, [horizontal, stacked, title]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = labels;
    c.data.datasets = datasets;
    c.update();
  }, [labels, datasets]);

  const height = horizontal ? Math.max(160, 36 * labels.length + 80) : 280;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div style={{ position: 'relative', height }}>
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
    </figure>
  );
}
