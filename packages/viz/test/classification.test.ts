import { describe, expect, it } from 'vitest';
import { confusionData, imageGridData } from '../src/index.ts';
import { confusionSvg, imageGridHtml } from '../src/node.ts';

describe('confusionData', () => {
  const m = [
    [8, 2, 0],
    [0, 5, 0],
    [1, 0, 0],
  ];

  it('gives each cell its count, its share of the true class and a shade, row by row', () => {
    const d = confusionData(m, ['a', 'b', 'c']);
    expect(d.support).toEqual([10, 5, 1]);
    expect(d.accuracy).toBe(13 / 16);
    expect(d.cells.map((c) => [c.row, c.column, c.count, c.share])).toEqual([
      [0, 0, 8, 0.8], [0, 1, 2, 0.2], [0, 2, 0, 0],
      [1, 0, 0, 0], [1, 1, 5, 1], [1, 2, 0, 0],
      [2, 0, 1, 1], [2, 1, 0, 0], [2, 2, 0, 0],
    ]);
    // diagonal: white → #1f4e9a linearly; off it: white → #c0392b as √share
    expect(d.cells[4].fill).toBe('rgb(31,78,154)');
    expect(d.cells[0].fill).toBe(`rgb(${[0x1f, 0x4e, 0x9a].map((v) => Math.round(255 + (v - 255) * 0.8)).join(',')})`);
    expect(d.cells[1].fill).toBe(`rgb(${[0xc0, 0x39, 0x2b].map((v) => Math.round(255 + (v - 255) * Math.sqrt(0.2))).join(',')})`);
    expect(d.cells[2].fill).toBe('rgb(255,255,255)');
    expect([d.cells[4].text, d.cells[2].text]).toEqual(['#ffffff', '#111111']);
  });

  it('refuses a matrix that is not square or holds a non-count, and names mismatched class names', () => {
    expect(() => confusionData([[1, 2]])).toThrow(/row 0 has 2 counts, expected 1/);
    expect(() => confusionData([[1, -1], [0, 0]])).toThrow(/count \[0\]\[1\] is -1/);
    expect(() => confusionData(m, ['a'])).toThrow(/1 class names for 3 classes/);
  });

  it('draws every count in the SVG, with the class names on both axes', () => {
    const svg = confusionSvg(confusionData(m, ['a', 'b', 'c']));
    expect(svg.match(/<rect [^>]*stroke="#dddddd"/g)).toHaveLength(9);
    for (const n of ['8', '2', '5', '1']) expect(svg).toContain(`>${n}</text>`);
    expect(svg).toContain('>predicted</text>');
  });
});

describe('imageGridData', () => {
  it('maps values in the range to 0…255 of ink, clamped, and keeps at most maxImages', () => {
    const d = imageGridData(
      [
        { pixels: [0, 8, 16, 20], caption: 'one' },
        { pixels: [16, 16, 0, -1], caption: 'two' },
        { pixels: [1, 1, 1, 1], caption: 'three' },
      ],
      { width: 2, height: 2, range: [0, 16], maxImages: 2 },
    );
    expect(d.images).toEqual([
      { gray: [0, 128, 255, 255], caption: 'one' },
      { gray: [255, 255, 0, 0], caption: 'two' },
    ]);
    expect(d.omitted).toBe(1);
    expect(() => imageGridData([{ pixels: [1], caption: '' }], { width: 2, height: 2, range: [0, 16] })).toThrow(/image 0 has 1 pixels, expected 2×2/);
  });

  it('draws each inked pixel as a gray square, and each caption line', () => {
    const d = imageGridData([{ pixels: [0, 16, 8, 0], caption: 'true 3\npredicted 8' }], { width: 2, height: 2, range: [0, 16] });
    const html = imageGridHtml(d, { scale: 5 });
    expect(html).toContain('<rect x="5" y="0" width="5" height="5" fill="rgb(0,0,0)"/>');
    expect(html).toContain('<rect x="0" y="5" width="5" height="5" fill="rgb(127,127,127)"/>');
    expect(html.match(/<rect x=/g)).toHaveLength(2); // white pixels are the background
    expect(html).toContain('<figcaption>true 3<br>predicted 8</figcaption>');
  });
});
