/**
 * tn.linalg: decompositions, solvers, norms and matrix products, named as torch.linalg.
 * Decompositions run on js and cpu tensors (or plain arrays), computing in float64 whatever
 * the input dtype; the compositions (trace, outer, kron, elementwise norms) run anywhere.
 * @example
 * const { U, S, Vh } = tn.linalg.svd(A, { fullMatrices: false });
 * const x = tn.linalg.solve(A, b);
 */
export { solve, triangularSolve, inv, det, slogdet, cholesky, choleskySolve, lu, luSolve, type TriangularSolveOptions } from './solve.js';
export { qr, svd, svdvals, eigh, eigvalsh, type QrMode, type SvdResult, type EighResult } from './decompositions.js';
export { lstsq, pinv, matrixRank, type LstsqOptions, type LstsqResult, type RankTolerance } from './lstsq.js';
export { norm, vectorNorm, matrixNorm, type VectorOrd, type MatrixOrd } from './norm.js';
export { trace, outer, kron } from './products.js';
export { LINALG_KERNELS, delegatedLinalgKernels, type LinalgKernels, type LinalgKernelName } from './kernels.js';
