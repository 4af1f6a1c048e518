// Diabetes regression (bundled, scaled as scikit-learn does): Ridge and Lasso on a 75/25 split.
// Prints test R² and the number of non-zero Lasso coefficients.
// Run: node examples/diabetes.mjs
import * as tn from 'tensile';

const { data, target } = tn.data.loadDiabetes({ dtype: 'float64' });
const [XTrain, XTest, yTrain, yTest] = tn.ml.trainTestSplit(data, target, { seed: 0 });
const ridge = new tn.ml.Ridge({ alpha: 0.1 }).fit(XTrain, yTrain);
const lasso = new tn.ml.Lasso({ alpha: 0.1 }).fit(XTrain, yTrain);
const nonZero = Array.from(lasso.coef.dataSync()).filter((c) => c !== 0).length;
console.log(`Ridge(alpha=0.1): test R² ${ridge.score(XTest, yTest).toFixed(4)}`);
console.log(`Lasso(alpha=0.1): test R² ${lasso.score(XTest, yTest).toFixed(4)}, ${nonZero} of 10 coefficients non-zero`);
