// Digits (8x8, bundled): PCA to 95% of the variance, then an RBF SVC (one-vs-one over the 10
// classes) on a stratified 75/25 split. Prints the components kept and the test accuracy.
// Run: node examples/digits-pca-svc.mjs
import * as tn from 'tensile';

const { data, target } = tn.data.loadDigits({ dtype: 'float64' });
const [XTrain, XTest, yTrain, yTest] = tn.ml.trainTestSplit(data, target, { seed: 0, stratify: true });
const pca = new tn.ml.PCA({ nComponents: 0.95 }).fit(XTrain);
const svc = new tn.ml.SVC({ kernel: 'rbf', C: 10 }).fit(pca.transform(XTrain), yTrain);
const acc = tn.ml.metrics.accuracy(yTest, svc.predict(pca.transform(XTest)));
console.log(`PCA kept ${pca.nComponents} components (95% of the variance); SVC(rbf, C=10) test accuracy ${acc.toFixed(4)}`);
