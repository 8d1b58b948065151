// A TypeScript consumer of every entry point, checked with `module: nodenext`, `strict`,
// `noUncheckedIndexedAccess`, `exactOptionalPropertyTypes` and `skipLibCheck: false`: the
// packages' declarations must hold up under the user's settings, not the library's.
import { backward, compile, createRng, GradlabError, gradcheck, noGrad, tensor, toDot, trace, type Tensor } from '@gradlab/core';
import { sigmoidBackward } from '@gradlab/core/fast';
import { generateDataset, generateXOREasy, loadDigits, parseCsv, toRows, type ClassificationData, type CsvData, type Dataset } from '@gradlab/data';
import { readCsv, readNpy } from '@gradlab/data/node';
import { Adam, mlp, modelFromJSON, modelToJSON, mseLoss, SGD, type ModelJSON, type StateDict } from '@gradlab/nn';
import { exportOnnx, loadSafetensors, saveSafetensors, type SafetensorsFile } from '@gradlab/nn/export';
import { loadModel, saveModel } from '@gradlab/nn/node';

const data: Dataset = generateXOREasy();
const moons = generateDataset('moons', { n: 40, seed: 3, noise: 0.1 });
const model = mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 11 });
const optimizer = new SGD(model.parameters(), { lr: 0.8 });
const step = compile((x: Tensor, y: Tensor) => mseLoss(model.forward(x), y), { optimizer });
const loss: Tensor = step.run(data.inputs, data.labels);
const first: number | undefined = toRows(moons).x[0]?.[0];

const w = tensor([[0.5, -0.25]], { requiresGrad: true });
const y = w.matmul(tensor([[1], [2]])).sigmoid().sum();
backward(y);
const nodes = trace(y).length;
const dot: string = toDot(y);
const check = gradcheck((a: Tensor) => a.tanh().sum(), [tensor([0.1, 0.2], { requiresGrad: true })]);
const fast = sigmoidBackward(tensor([1]), tensor([0.5]));
const json: ModelJSON = modelToJSON(model);
const state: StateDict = modelFromJSON(json).stateDict();
const adam = new Adam(model.parameters(), { lr: 0.01 });
const draw = createRng(7).next();
const outputs = noGrad(() => model.forward(data.inputs));
const onnx: Uint8Array = exportOnnx(model, { inputShape: [1, 2], dtype: 'float32' });
const weights: Uint8Array = saveSafetensors(model, { layout: 'pytorch', metadata: { lab: '1' } });
model.loadStateDict(loadSafetensors(weights, { layout: 'pytorch', model }));
let file: SafetensorsFile | undefined;
const digits: ClassificationData = loadDigits({ seed: 1 });
const table: CsvData = parseCsv('a,k\n1,x\n', { labelColumn: 'k' });
const classNames: string[] | undefined = table.classNames;

async function files(): Promise<void> {
  await saveModel(model, 'model.json');
  const again = await loadModel('model.json');
  console.log(again.describe());
  const csv = await readCsv('points.csv', { labelColumn: 'label' });
  const array = await readNpy('weights.npy');
  console.log(csv.x.shape, array.shape);
}

function isGradlab(e: unknown): e is GradlabError {
  return e instanceof GradlabError;
}

export const used = [loss, first, nodes, dot, check.passed, fast, state, adam, draw, outputs, files, isGradlab, onnx, file, digits, classNames];
