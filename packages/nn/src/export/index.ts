// @gradlab/nn/export: models that leave gradlab. ONNX for inference runtimes (onnxruntime and
// the rest), safetensors for PyTorch and other frameworks. Browser-safe: both return bytes.
export { exportOnnx, ONNX_EXPORTABLE_OPS, ONNX_NOT_EXPORTABLE, ONNX_IR_VERSION, ONNX_OPSET, type ExportOnnxOptions } from './onnx.ts';
export {
  saveSafetensors,
  loadSafetensors,
  readSafetensors,
  type SafetensorsDtype,
  type SafetensorsLayout,
  type SafetensorsFile,
  type SafetensorsTensor,
  type SaveSafetensorsOptions,
  type LoadSafetensorsOptions,
} from './safetensors.ts';
