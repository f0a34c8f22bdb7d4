/**
 * How much of a screenshot is drawn: the PNG is decoded by the page itself
 * (an <img> drawn on a canvas), so no image library is needed.
 */
import type { Page } from 'playwright-core';

/** Fraction of the pixels of `png` that differ from white by more than a faint tint. */
export async function drawnFraction(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let drawn = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! < 3 * 235) drawn++;
    return drawn / (data.length / 4);
  }, png.toString('base64'));
}
