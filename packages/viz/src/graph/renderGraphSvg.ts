// Computational graph (Graphviz DOT text from core's toDot) → SVG, via Graphviz compiled to
// WebAssembly (@viz-js/viz). Works the same in Node and in the browser.

type Graphviz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;

let graphviz: Promise<Graphviz> | undefined;

/** Lays out `dot` with Graphviz's `dot` engine and returns the SVG document text. */
export async function renderGraphSvg(dot: string): Promise<string> {
  // ~1.2 MB of inlined wasm: load it lazily, once, and only when a graph is drawn
  graphviz ??= import('@viz-js/viz').then((m) => m.instance());
  const viz = await graphviz;
  try {
    return viz.renderString(dot, { format: 'svg' });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`renderGraphSvg: Graphviz could not render the DOT text: ${reason}`, { cause: err });
  }
}

/** The `<svg>` element alone (no XML prolog, DOCTYPE or comments), for inlining in HTML. */
export function svgForInline(svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('svgForInline: no <svg> element');
  return svg.slice(start).replace(/<!--[\s\S]*?-->/g, '').trim();
}
