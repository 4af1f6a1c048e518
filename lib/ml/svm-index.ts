/**
 * The kernel methods of tn.ml, re-exported for lib/ml/index.ts: SVC and SVR (libsvm's SMO on
 * GEMM-batched kernel rows), PCA (full SVD), GaussianNB.
 */
export { SVC, SVR, type SVCOptions, type SVROptions, type BaseSVMOptions, type Gamma } from './svm.js';
export type { KernelName } from './kernels.js';
export { PCA, type PCAOptions } from './decomposition.js';
export { GaussianNB, type GaussianNBOptions } from './naive-bayes.js';
