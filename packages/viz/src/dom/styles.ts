// The few styles the figures need beyond uPlot's own CSS, injected once per document.

const STYLE_ID = 'gradlab-viz-styles';

const CSS = `
.gl-figure { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: #222; }
.gl-panels { display: flex; gap: 16px; }
.gl-figure .u-legend { font-size: 13px; }
.gl-caption { text-align: center; font-size: 15px; margin-top: 4px; }
.gl-colorbar { display: flex; align-items: center; justify-content: center; gap: 6px; font-size: 13px; margin-top: 2px; }
.gl-colorbar-bar { display: inline-block; width: 160px; height: 12px; border: 1px solid #999; }
.uplot .gl-line .u-marker { width: 22px !important; height: 0 !important; border-width: 3px 0 0 0 !important; background: none !important; }
.uplot .gl-dot .u-marker { border-radius: 50%; border-width: 0 !important; }
.uplot .gl-ring .u-marker { border-radius: 50%; border-width: 2px !important; }
`;

/** Adds the figures' stylesheet to `doc` (once). uPlot's own CSS must be loaded separately. */
export function ensureStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}
