// Breast cancer (Wisconsin, bundled from scikit-learn): scaled features, an RBF SVC and a
// logistic regression on a stratified 75/25 split. Prints test accuracy and F1 of each.
// Run: node examples/breast-cancer.mjs
import * as tn from 'tensile';

const { data, target } = tn.data.loadBreastCancer({ dtype: 'float64' });
const [XTrain, XTest, yTrain, yTest] = tn.ml.trainTestSplit(data, target, { seed: 0, stratify: true });
const scaler = new tn.ml.StandardScaler().fit(XTrain);
const [Xtr, Xte] = [scaler.transform(XTrain), scaler.transform(XTest)];
for (const [name, model] of [['SVC(rbf)', new tn.ml.SVC({ kernel: 'rbf', C: 1 })], ['LogisticRegression', new tn.ml.LogisticRegression()]]) {
  model.fit(Xtr, yTrain);
  const pred = model.predict(Xte);
  const extra = name.startsWith('SVC') ? `, ${model.support.shape[0]} support vectors` : '';
  console.log(`${name}: test accuracy ${tn.ml.metrics.accuracy(yTest, pred).toFixed(4)}, F1 ${tn.ml.metrics.f1(yTest, pred).toFixed(4)}${extra}`);
}
