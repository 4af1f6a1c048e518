export { loadIris, loadBreastCancer, loadDigits, loadDiabetes, type Dataset, type LoadOptions } from './datasets.js';
export { batches, type BatchOptions } from './batching.js';
export { padSequences, Tokenizer, oneHot, type PadOptions, type TokenizerOptions } from './text.js';
