/** The bundled datasets equal what scikit-learn 1.2 loads (values from sklearn.datasets). */
import * as tn from '../lib/index.js';

const REF = {"loadIris": {"shape": [150, 4], "dataSum": 2078.7, "firstRow": [5.1, 3.5, 1.4, 0.2], "targetSum": 150.0, "firstTargets": [0, 0, 0, 0, 0], "nFeatureNames": 4, "nClasses": 3}, "loadBreastCancer": {"shape": [569, 30], "dataSum": 1056474.4596356, "firstRow": [17.99, 10.38, 122.8, 1001.0, 0.1184], "targetSum": 357.0, "firstTargets": [0, 0, 0, 0, 0], "nFeatureNames": 30, "nClasses": 2}, "loadDigits": {"shape": [1797, 64], "dataSum": 561718.0, "firstRow": [0.0, 0.0, 5.0, 13.0, 9.0], "targetSum": 8070.0, "firstTargets": [0, 1, 2, 3, 4], "nFeatureNames": 64, "nClasses": 10}, "loadDiabetes": {"shape": [442, 10], "dataSum": 0, "firstRow": [0.038075906433423026, 0.05068011873981862, 0.061696206518683294, 0.0218723855140367, -0.04422349842444599], "targetSum": 67243.0, "firstTargets": [151.0, 75.0, 141.0, 206.0, 135.0], "nFeatureNames": 10, "nClasses": 0}} as const;

describe.each(Object.keys(REF) as (keyof typeof REF)[])('%s', (name) => {
  const ref = REF[name];
  test('matches scikit-learn (float64)', () => {
    const ds = tn.data[name]({ dtype: 'float64' });
    expect(ds.data.shape).toEqual(ref.shape);
    expect(ds.data.dtype).toBe('float64');
    expect(ds.data.sum().itemSync()).toBeCloseTo(ref.dataSum, 6);
    const first = Array.from(ds.data.slice(0, [0, 5]).dataSync());
    first.forEach((v, i) => expect(v).toBeCloseTo(ref.firstRow[i], 12));
    expect(ds.target.sum().itemSync()).toBeCloseTo(ref.targetSum, 6);
    expect(Array.from(ds.target.slice([0, 5]).dataSync())).toEqual(ref.firstTargets);
    expect(ds.featureNames.length).toBe(ref.nFeatureNames);
    if (ref.nClasses) {
      expect(ds.target.dtype).toBe('int32');
      expect(ds.targetNames!.length).toBe(ref.nClasses);
    }
  });
});

test('features default to float32 (the nn default)', () => {
  expect(tn.data.loadIris().data.dtype).toBe('float32');
});

test('diabetes columns have unit L2 norm, as scikit-learn scales them', () => {
  const X = tn.data.loadDiabetes({ dtype: 'float64' }).data;
  const norms = X.square().sum(0).sqrt().dataSync();
  for (const v of norms) expect(v).toBeCloseTo(1, 12);
});
