/**
 * tn.ml: classic models with scikit-learn's semantics, defaults and attribute names (in
 * camelCase), computing in float64 on the host.
 * @example
 * const { data, target } = tn.data.loadBreastCancer({ dtype: 'float64' });
 * const [XTrain, XTest, yTrain, yTest] = tn.ml.trainTestSplit(data, target, { seed: 0, stratify: true });
 * const scaler = new tn.ml.StandardScaler().fit(XTrain);
 * const clf = new tn.ml.LogisticRegression().fit(scaler.transform(XTrain), yTrain);
 * tn.ml.metrics.f1(yTest, clf.predict(scaler.transform(XTest)));
 */
export type { MatrixLike, LabelsLike, Label } from './base.js';
export { LinearRegressor, LinearRegression, Ridge, type TargetsLike, type LinearRegressionOptions, type RidgeOptions } from './linear.js';
export { Lasso, ElasticNet, type LassoOptions, type ElasticNetOptions } from './coordinate-descent.js';
export { LinearClassifier, LogisticRegression, type LogisticRegressionOptions } from './logistic.js';
export { LinearSVC, type LinearSVCOptions } from './svm-linear.js';
export { SGDRegressor, SGDClassifier, type SGDRegressorOptions, type SGDClassifierOptions } from './sgd.js';
export { StandardScaler, MinMaxScaler, type StandardScalerOptions, type MinMaxScalerOptions } from './preprocessing.js';
export {
  trainTestSplit, KFold, StratifiedKFold, crossValScore, type TrainTestSplitOptions, type KFoldOptions, type Fold, type Scorable,
} from './model-selection.js';
export * as metrics from './metrics.js';
export {
  SVC, SVR, PCA, GaussianNB, type SVCOptions, type SVROptions, type BaseSVMOptions, type Gamma, type KernelName,
  type PCAOptions, type GaussianNBOptions,
} from './svm-index.js';
