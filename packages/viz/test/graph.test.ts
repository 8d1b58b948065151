import { describe, expect, it } from 'vitest';
import { renderGraphSvg, svgForInline } from '../src/index.ts';

const DOT = `digraph G {
  a [label="x\\nvalue 0.5\\ngrad 0.2"];
  b [label="sigmoid\\nvalue 0.62\\ngrad 1"];
  a -> b [label="∂ = y(1-y)"];
}`;

describe('renderGraphSvg', () => {
  it('lays out a small DOT graph as SVG containing the node and edge labels', async () => {
    const svg = await renderGraphSvg(DOT);
    expect(svg).toMatch(/<svg[\s>]/);
    expect(svg).toContain('</svg>');
    for (const text of ['x', 'value 0.5', 'grad 0.2', 'sigmoid', 'value 0.62', '∂ = y(1&#45;y)']) {
      expect(svg).toContain(`>${text}</text>`);
    }
    const inline = svgForInline(svg);
    expect(inline.startsWith('<svg')).toBe(true);
    expect(inline).not.toMatch(/<\?xml|<!DOCTYPE|<!--/);
  });

  it('explains invalid DOT', async () => {
    await expect(renderGraphSvg('digraph { a -> }')).rejects.toThrow(/renderGraphSvg: Graphviz could not render/);
  });
});
