/** The 2-D embedding scatter, coloured by class. */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import type { ScatterPoint } from './embedding';

export async function drawScatter(element: HTMLElement, points: readonly ScatterPoint[]): Promise<void> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 'container',
    height: 360,
    data: { values: points as ScatterPoint[] },
    mark: { type: 'circle', size: 18, opacity: 0.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'PC 1' },
      y: { field: 'y', type: 'quantitative', title: 'PC 2' },
      color: { field: 'label', type: 'nominal', title: 'class', scale: { scheme: 'tableau10' } },
    },
  };
  await embed(element, spec, { actions: false, renderer: 'canvas' });
}
