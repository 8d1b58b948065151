// A browser page built with Vite from the published packages: trains the lab's network, draws
// its learning curve with @gradlab/viz, and reports the accuracy in #result and body[data-done].
import { compile, noGrad, tensor, type Tensor } from '@gradlab/core';
import { generateXOREasy, toRows } from '@gradlab/data';
import { mlp, mseLoss, SGD } from '@gradlab/nn';
import { exportOnnx } from '@gradlab/nn/export';
import { drawLossCurve, lossCurveData } from '@gradlab/viz';

const data = generateXOREasy();
const { x: points, y: labels } = toRows(data);
const model = mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 11 });
const step = compile((x: Tensor, y: Tensor) => mseLoss(model.forward(x), y), {
  optimizer: new SGD(model.parameters(), { lr: 0.8 }),
});
const samples = points.map((p, i) => ({ x: tensor([p]), y: tensor([[labels[i] ?? 0]]) }));
const epochs: number[] = [];
const losses: number[] = [];
let worst = Infinity;
for (let pass = 1; worst >= 0.04 && pass <= 10_000; pass++) {
  worst = 0;
  for (const { x, y } of samples) worst = Math.max(worst, step.run(x, y).item());
  if (pass % 100 === 0) {
    epochs.push(pass * samples.length);
    losses.push(worst);
  }
}
const outputs = noGrad(() => model.forward(data.inputs)).data;
const correct = labels.filter((label, i) => ((outputs[i] ?? 0) >= 0.5 ? 1 : 0) === label).length;
const loss = document.getElementById('loss');
if (loss) drawLossCurve(loss, lossCurveData([{ label: 'lr=0.8', epochs, losses }]), { title: 'Learning curve' });
const accuracy = `${((100 * correct) / labels.length).toFixed(2)}%`;
const result = document.getElementById('result');
if (result) result.textContent = `accuracy: ${accuracy} (${correct}/${labels.length})`;
document.body.dataset.onnxBytes = String(exportOnnx(model, { inputShape: [1, 2] }).length);
document.body.dataset.done = accuracy;
