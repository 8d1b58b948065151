// The lab's network from the published packages, in plain Node: a [2,3,3,1] sigmoid MLP without
// bias, MSE, per-sample SGD at lr 0.8, seed 11, on XOR-easy, until every per-sample loss of a
// pass is below 0.04. Run with `node train.mjs`.
import { compile, noGrad, tensor } from '@gradlab/core';
import { generateXOREasy, toRows } from '@gradlab/data';
import { mlp, mseLoss, SGD } from '@gradlab/nn';

const data = generateXOREasy(); // 21 points: inputs [21, 2], labels [21, 1]
const { x: points, y: labels } = toRows(data);
const model = mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 11 });
const optimizer = new SGD(model.parameters(), { lr: 0.8 });
// one step, recorded once and replayed: forward, backward, then SGD's W ← W − lr·∂L/∂W
const step = compile((x, y) => mseLoss(model.forward(x), y), { optimizer });
const samples = points.map((p, i) => ({ x: tensor([p]), y: tensor([[labels[i]]]) }));

let passes = 0;
for (let worst = Infinity; worst >= 0.04 && passes < 10_000; passes++) {
  worst = 0;
  for (const { x, y } of samples) worst = Math.max(worst, step.run(x, y).item());
}
const outputs = noGrad(() => model.forward(data.inputs)).data;
const correct = labels.filter((label, i) => (outputs[i] >= 0.5 ? 1 : 0) === label).length;
console.log(`passes: ${passes}`);
console.log(`accuracy: ${((100 * correct) / labels.length).toFixed(2)}% (${correct}/${labels.length})`);
