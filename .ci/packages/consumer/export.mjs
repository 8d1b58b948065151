// A model leaving gradlab from the published packages: ONNX for inference runtimes, safetensors
// for PyTorch (layout 'pytorch': Linear's [out, in] weights), and back into gradlab.
import { writeFileSync, readFileSync } from 'node:fs';
import { mlp } from '@gradlab/nn';
import { exportOnnx, loadSafetensors, saveSafetensors } from '@gradlab/nn/export';

const model = mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 11 });
writeFileSync('model.onnx', exportOnnx(model, { inputShape: [1, 2] }));
writeFileSync('model.safetensors', saveSafetensors(model, { layout: 'pytorch' }));

const again = mlp([2, 3, 3, 1], { activation: 'sigmoid', bias: false, seed: 99 });
again.loadStateDict(loadSafetensors(readFileSync('model.safetensors'), { layout: 'pytorch', model: again }));
const same = again.parameters().every((p, i) => p.data.every((v, k) => v === model.parameters()[i].data[k]));
console.log(`model.onnx: ${readFileSync('model.onnx').length} bytes, model.safetensors: ${readFileSync('model.safetensors').length} bytes, round trip: ${same ? 'same weights' : 'DIFFERENT'}`);
