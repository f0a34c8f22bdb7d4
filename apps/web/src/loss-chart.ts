/** The live loss curve: a vega-lite line whose data grows as steps are logged. */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import type { LoggedLoss } from './train';

const SPEC: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  width: 'container',
  height: 240,
  data: { name: 'losses' },
  mark: { type: 'line', point: true, strokeWidth: 2 },
  encoding: {
    x: { field: 'step', type: 'quantitative', title: 'step' },
    y: { field: 'loss', type: 'quantitative', title: 'NT-Xent loss', scale: { zero: false } },
  },
};

export interface LossChart {
  add(logged: LoggedLoss): Promise<void>;
}

export async function createLossChart(element: HTMLElement): Promise<LossChart> {
  const { view } = await embed(element, SPEC, { actions: false, renderer: 'canvas' });
  return {
    async add(logged) {
      await view.insert('losses', [{ step: logged.step + 1, loss: logged.loss }]).runAsync();
    },
  };
}
