// @gradlab/viz/node: everything in the browser-safe entry, plus the Node-only report tools
// (self-contained HTML report, PNG figures through headless Chromium).
export * from './index.ts';
export { buildReport, reportPayload, jsonForScript, escapeHtml } from './report/html.ts';
export { confusionSvg, imageGridHtml } from './report/static.ts';
export {
  renderPngs,
  renderPages,
  findChromium,
  PNG_SKIPPED_MESSAGE,
  pngFailedMessage,
  CHROMIUM_CANDIDATES,
  CHROMIUM_ARGS,
  type RenderPngsOptions,
  type RenderPngsResult,
  type RenderJob,
  type RenderedJob,
} from './report/png.ts';
export { writeReport, type WriteFile, type WriteReportOptions, type WriteReportResult } from './report/write.ts';
export { FIGURE_IDS, PAYLOAD_ID, type ReportInput, type ReportPayload } from './report/types.ts';
