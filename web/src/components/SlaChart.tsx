import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  color: string;
  values: number[];
}

/** A stacked bar chart (chart.js) of deadline counts per region; a click on a bar opens what it counts. */
export function SlaChart({ labels, series, onPick }: { labels: string[]; series: Series[]; onPick?(index: number, seriesIndex: number): void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color })) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_event, elements) => {
          const hit = elements[0];
          if (hit) pick.current?.(hit.index, hit.datasetIndex);
        },
      },
    });
    return () => chart.destroy();
  }, [labels, series]);
  return (
    <div style={{ position: 'relative', height: 260 }}>
      <canvas ref={canvas} />
    </div>
  );
}
