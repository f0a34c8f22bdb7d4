/** The kNN accuracies beside each other: trained encoder, the same encoder at random init, raw pixels. */
export interface KnnScores {
  trained?: number;
  randomInit?: number;
  rawPixels?: number;
}

const ROWS: [keyof KnnScores, string][] = [
  ['trained', 'trained encoder'],
  ['randomInit', 'same encoder at random init'],
  ['rawPixels', 'raw pixels'],
];

export function renderKnnTable(element: HTMLElement, scores: KnnScores): void {
  element.replaceChildren(
    ...ROWS.map(([key, label]) => {
      const row = document.createElement('tr');
      const value = scores[key];
      row.innerHTML = `<th>${label}</th><td data-knn="${key}">${value === undefined ? '…' : `${value.toFixed(1)}%`}</td>`;
      return row;
    }),
  );
}
