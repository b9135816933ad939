/** @module benchmarks/lib/charts — the report's charts: Vega-Lite specs rendered to SVG in Node (no canvas, no browser) */
import * as vega from 'vega';
import { compile } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG string (vega's headless view, renderer 'none': no canvas needed). */
export async function renderSvg(spec) {
  // Vega-Lite's compile warnings are about its own internal scale merges, not about the data: keep them quiet.
  const quiet = vega.logger(vega.Error);
  const view = new vega.View(vega.parse(compile(spec, { logger: quiet }).spec), {
    renderer: 'none',
    logLevel: vega.Error,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: {
    font: 'sans-serif',
    axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
    legend: { labelFontSize: 11 },
  },
};

/**
 * Throughput by contender: one horizontal bar per contender (median msg/s, log scale) with a min..max rule,
 * coloured by kind (Sluice, peer with ack, no-ack ceiling), in two panels: in memory and durable.
 * @param {{ contender: string, group: string, kind: string, median: number, min: number, max: number }[]} rows
 * @param {string} subtitle
 */
export function throughputChart(rows, subtitle) {
  // Sorted here (fastest first), so the chart keeps the data order: no sort in the spec.
  const sorted = [...rows].sort((a, b) => b.median - a.median);
  const y = { field: 'contender', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } };
  return renderSvg({
    ...BASE,
    title: { text: 'Full cycle throughput by contender (msg/s, log scale)', subtitle },
    data: { values: sorted },
    facet: {
      row: {
        field: 'group',
        type: 'nominal',
        title: null,
        header: { labelFontSize: 13, labelFontWeight: 'bold' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 460,
      layer: [
        {
          mark: { type: 'bar', height: 14 },
          encoding: {
            y,
            x: {
              field: 'median',
              type: 'quantitative',
              // Bars on a log scale need a base other than 0: they start at 1,000 msg/s (the left edge).
              scale: { type: 'log', domainMin: 1000 },
              axis: { format: '~s' },
              title: 'msg/s (median; line: min..max)',
            },
            x2: { datum: 1000 },
            color: {
              field: 'kind',
              type: 'nominal',
              scale: {
                domain: ['Sluice', 'peer (with ack)', 'no-ack ceiling'],
                range: ['#1f77b4', '#ff7f0e', '#bbbbbb'],
              },
              title: null,
            },
            tooltip: [{ field: 'contender' }, { field: 'median', format: ',.0f' }],
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: { y, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
          encoding: {
            y,
            x: { field: 'max', type: 'quantitative' },
            text: { field: 'median', type: 'quantitative', format: ',.0f' },
          },
        },
      ],
    },
  });
}

/**
 * Memory per message by queue depth: bytes beyond the body, queued and inflight, with the targets as dashed rules.
 * @param {{ depth: number, state: string, median: number, min: number, max: number }[]} rows
 * @param {string} subtitle
 */
export function memoryChart(rows, subtitle) {
  const x = {
    field: 'depth',
    type: 'quantitative',
    scale: { type: 'log', domain: [5000, 10_000_000] },
    axis: { format: '~s', values: [10_000, 100_000, 1_000_000, 5_000_000] },
    title: 'messages queued (log scale)',
  };
  const color = { field: 'state', type: 'nominal', title: null };
  return renderSvg({
    ...BASE,
    title: { text: 'Sluice memory per message beyond the 100-byte body, by queue depth', subtitle },
    width: 520,
    height: 280,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'median', type: 'quantitative', title: 'bytes per message (median)' },
          color,
        },
      },
      {
        data: { values: rows },
        mark: { type: 'text', dy: -9, fontSize: 10 },
        encoding: {
          x,
          y: { field: 'median', type: 'quantitative' },
          text: { field: 'median', type: 'quantitative', format: '.1f' },
          color,
        },
      },
      {
        data: {
          values: [
            { goal: 64, label: 'target queued <= 64 B' },
            { goal: 96, label: 'target inflight <= 96 B' },
          ],
        },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { y: { field: 'goal', type: 'quantitative' } },
      },
      {
        data: {
          values: [
            { goal: 64, label: 'target queued <= 64 B' },
            { goal: 96, label: 'target inflight <= 96 B' },
          ],
        },
        mark: { type: 'text', align: 'left', dy: -5, x: 4, fontSize: 10, color: '#666' },
        encoding: { y: { field: 'goal', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  });
}

/**
 * Batch-cycle throughput by queue depth (the scale curve's other half), median with a min..max band.
 * @param {{ depth: number, median: number, min: number, max: number }[]} rows
 * @param {string} subtitle
 */
export function scaleChart(rows, subtitle) {
  const x = {
    field: 'depth',
    type: 'quantitative',
    scale: { type: 'log', domain: [5000, 10_000_000] },
    axis: { format: '~s', values: [10_000, 100_000, 1_000_000, 5_000_000] },
    title: 'messages queued (log scale)',
  };
  return renderSvg({
    ...BASE,
    title: { text: 'Sluice full cycle msg/s by queue depth (send all, then receive + ack all)', subtitle },
    width: 520,
    height: 260,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            field: 'median',
            type: 'quantitative',
            title: 'msg/s (median; band: min..max)',
            scale: { zero: true },
          },
        },
      },
      {
        mark: { type: 'text', dy: -9, fontSize: 10 },
        encoding: {
          x,
          y: { field: 'median', type: 'quantitative' },
          text: { field: 'median', type: 'quantitative', format: ',.0f' },
        },
      },
    ],
  });
}
