/**
 * tn.io: models and tensors as safetensors files, readable by PyTorch (safetensors.torch) and
 * Hugging Face tools. Re-exports only.
 * @example
 * await tn.io.save(model, 'model.safetensors');
 * const again = await tn.io.load('model.safetensors');
 */
export { save, load, loadStateDict, loadOptimizerState, type SaveOptions, type LoadOptions } from './model.js';
export { readSafetensors, writeSafetensors, type SafetensorsContents } from './safetensors.js';
export type { Architecture, LayerSpec } from './architecture.js';
