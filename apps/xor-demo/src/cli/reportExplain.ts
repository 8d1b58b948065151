// The report's section "Backpropagation on your network": the worked example (src/lab/explain.ts)
// as HTML, beside the graph of the same step.
import { escapeHtml } from '@gradlab/viz/node';
import type { WorkedExample } from '../lab/explain.ts';
import { epochText, matrixText, rowText, short } from './explain.ts';

export const EXPLAIN_SECTION_ID = 'backprop';

const e = escapeHtml;

/** A table; the columns in `numeric` are set in a monospace font. */
function table(header: string[], rows: string[][], cls: string, numeric: readonly number[] = [1]): string {
  const head = `<tr>${header.map((h) => `<th>${e(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : i === 0 ? ' class="name"' : ''}>${e(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="${cls}">${head}${body}</table>`;
}

/** The section's HTML; `endEpoch` names the last epoch ("the end of training"). */
export function explainHtml(x: WorkedExample, endEpoch: number | null): string {
  const ex = x.explanation;
  const grad = `${ex.element.replace('[', '.grad[')}`;
  const parts: string[] = [];
  parts.push(
    `<p class="lead">How backpropagation computes <b>∂loss/∂${e(ex.element)}</b> for one training step of this network, at ${e(epochText(x.epoch, endEpoch))}, ` +
      `on sample #${x.sample.index}: x = (${e(short(x.sample.x[0]))}, ${e(short(x.sample.x[1]))}), y = ${x.sample.y}. ` +
      `Chosen because ${e(x.why)}. Any other element, sample or epoch: <code>pnpm demo explain --run &lt;this folder&gt; --explain W2[0,1] --explain-sample 3 --explain-epoch end</code>.</p>`,
  );
  parts.push('<h3>The weights</h3>', table(['weight', 'values'], x.weights.map((w) => [`${w.name} [${w.shape.join(',')}]`, matrixText(w.rows)]), 'values'));
  parts.push('<h3>Forward, for this sample</h3>', table(['value', '='], x.forward.map((f) => [f.formula, rowText(f.values)]), 'values'));
  parts.push(
    `<h3>The chain rule along the graph</h3><p>${e(ex.element)} reaches the loss along ${ex.pathCount} path${ex.pathCount === 1 ? '' : 's'}. ` +
      `Along each path the gradient is the product of the local derivatives of the ops it passes (the loss's own nodes are folded into one factor ∂loss/∂ŷ); ` +
      `the gradient is the sum of the paths' products.</p>`,
  );
  ex.paths.forEach((p, k) => {
    parts.push(
      `<div class="path"><p class="chain"><b>path ${k + 1}</b>: ${e(p.chain)}</p>`,
      table(['local derivative', 'value', 'rule'], p.factors.map((f) => [f.derivative, short(f.local), f.formula]), 'factors'),
      `<p class="product">product = ${e(p.factors.map((f) => short(f.local)).join(' × '))} = <b>${e(short(p.product))}</b></p></div>`,
    );
  });
  if (ex.paths.length < ex.pathCount) parts.push(`<p>… ${ex.pathCount - ex.paths.length} more paths not listed (their products are in the sum).</p>`);
  parts.push(
    table(
      ['', 'value'],
      [
        ['sum of the path products', String(ex.sum)],
        [`${grad} from backward()`, String(ex.grad)],
        ['difference', Math.abs(ex.sum - ex.grad).toExponential(2)],
      ],
      'verdict',
    ),
  );
  parts.push(
    "<div class=\"keep\"><h3>The same number from the lab's hand formula</h3><p>The lab derives the backward pass by hand: with Z the layer's input (a row for one sample) and dz the gradient at its output, " +
      '<code>dW = Zᵀ·dz</code>, which for one sample is <code>np.kron(Z.T, dz)</code>. Computed here with plain arrays, no graph:</p>',
    table(['step', '='], x.hand.steps.map((s) => [s.formula, matrixText(s.values)]), 'values'),
    table(
      ['', 'value'],
      [
        [`${ex.element.replace(/^(\w+)/, 'd$1')} by the hand formula`, String(x.handValue)],
        [`${grad} from the graph`, String(ex.grad)],
        ['difference', Math.abs(x.handValue - ex.grad).toExponential(2)],
      ],
      'verdict',
    ),
    '</div>',
  );
  return parts.join('\n');
}

/** The caption under graph.svg: which step it shows. */
export function graphCaption(x: WorkedExample, endEpoch: number | null, description: string): string {
  return (
    `One training step of ${description}, at ${epochText(x.epoch, endEpoch)}, on sample #${x.sample.index}: ` +
    `x = (${short(x.sample.x[0])}, ${short(x.sample.x[1])}), y = ${x.sample.y}, ŷ = ${short(x.graph.prediction)}, loss = ${short(x.graph.loss.item())}. ` +
    `The weights ${x.weights.map((w) => w.name).join(', ')} are those of the section above. Each box is a tensor (value, and grad = ∂loss/∂tensor); ` +
    `each edge carries the local derivative of the op for that input; dashed edges carry no gradient; the loss's helper nodes are folded into one.`
  );
}
