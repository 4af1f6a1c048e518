#!/usr/bin/python3
"""Reference values for tn.ml's linear models, scalers, splits and metrics (scikit-learn 1.2).

Run from the repository root with Debian's numpy/scipy/scikit-learn:

    /usr/bin/python3 test/reference/gen_ml_linear.py

It rewrites test/fixtures/ml_linear.json; test/ml-linear.test.ts only reads it.

Data sets are named, not stored: 'iris', 'breastCancer', 'digits', 'diabetes' are
sklearn.datasets' loaders (tn.data loads the same rows); a name ending in 'Scaled' is that
set through StandardScaler().fit_transform. Small synthetic sets (make_regression,
make_classification) are stored in full under 'synthetic' (floats as repr: exact).

Each model record holds the estimator's options in tensile's camelCase, the fitted
attributes, and predictions of the first HEAD rows (decision values, probabilities, labels).
Deterministic estimators (least squares, ridge, coordinate descent, lbfgs) are compared by
value; LinearSVC (random permutation) by value at a tolerance, and with a tight-tolerance
fit that pins the unique optimum; SGD only by score.
"""

import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy.optimize import minimize, rosen, rosen_der
from sklearn import datasets, metrics
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge,
                                  SGDClassifier, SGDRegressor)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import LinearSVC

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "ml_linear.json")
HEAD = 8

warnings.simplefilter("ignore", ConvergenceWarning)


def L(a):
    return np.asarray(a, dtype=np.float64).tolist()


def load(name):
    scaled = name.endswith("Scaled")
    base = name[:-6] if scaled else name
    if base in SYNTH:
        X, y = np.array(SYNTH[base]["X"]), np.array(SYNTH[base]["y"])
    else:
        loader = {"iris": datasets.load_iris, "breastCancer": datasets.load_breast_cancer,
                  "digits": datasets.load_digits, "diabetes": datasets.load_diabetes}[base]
        X, y = loader(return_X_y=True)
    X = X.astype(np.float64)
    if scaled:
        X = StandardScaler().fit_transform(X)
    return X, y


SYNTH = {}
X, y, coef = datasets.make_regression(n_samples=80, n_features=6, n_informative=4, noise=5.0,
                                      coef=True, random_state=0)
SYNTH["reg"] = {"X": L(X), "y": L(y)}
X, Y = datasets.make_regression(n_samples=60, n_features=5, n_targets=3, noise=2.0, random_state=1)
SYNTH["regMulti"] = {"X": L(X), "y": L(Y)}
X, y = datasets.make_regression(n_samples=20, n_features=30, n_informative=8, noise=1.0, random_state=2)
SYNTH["regWide"] = {"X": L(X), "y": L(y)}
X, y = datasets.make_regression(n_samples=50, n_features=4, noise=1.0, random_state=3)
X = np.hstack([X, X[:, :1] * 2.0, X[:, 1:2] - X[:, 2:3]])   # two dependent columns: rank 4 of 6
SYNTH["rankDef"] = {"X": L(X), "y": L(y)}
X, y = datasets.make_regression(n_samples=100, n_features=20, n_informative=5, noise=3.0, random_state=4)
SYNTH["sparse"] = {"X": L(X), "y": L(y)}
X, y = datasets.make_classification(n_samples=150, n_features=5, n_informative=3, n_redundant=0,
                                    n_classes=3, n_clusters_per_class=1, flip_y=0.2, class_sep=0.8,
                                    random_state=5)
SYNTH["clf3"] = {"X": L(X), "y": y.tolist()}
X, y = datasets.make_classification(n_samples=200, n_features=6, n_informative=4, flip_y=0.1,
                                    random_state=6)
SYNTH["clf2"] = {"X": L(X), "y": y.tolist()}


def regressor_record(name, cls, data, opts, skl_opts, extra=None):
    X, y = load(data)
    m = cls(**skl_opts).fit(X, y)
    rec = {"name": name, "data": data, "options": opts, "coef": L(m.coef_),
           "intercept": L(m.intercept_), "predHead": L(m.predict(X[:HEAD])), "score": m.score(X, y)}
    if extra:
        rec.update(extra(m))
    return rec


def classifier_record(name, cls, data, opts, skl_opts, proba=True):
    X, y = load(data)
    m = cls(**skl_opts).fit(X, y)
    rec = {"name": name, "data": data, "options": opts, "classes": L(m.classes_),
           "coef": L(m.coef_), "intercept": L(m.intercept_),
           "nIter": np.atleast_1d(m.n_iter_).tolist(),
           "decisionHead": L(m.decision_function(X[:HEAD])),
           "predAll": L(m.predict(X)), "score": m.score(X, y)}
    if proba:
        rec["probaHead"] = L(m.predict_proba(X[:HEAD]))
    return rec


out = {
    "meta": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
             "head": HEAD},
    "synthetic": SYNTH,
}

out["linearRegression"] = [
    regressor_record("diabetes", LinearRegression, "diabetes", {}, {}, lambda m: {"rank": int(m.rank_), "singular": L(m.singular_)}),
    regressor_record("multi-target", LinearRegression, "regMulti", {}, {}),
    regressor_record("no intercept", LinearRegression, "reg", {"fitIntercept": False}, {"fit_intercept": False}),
    regressor_record("rank deficient (min norm)", LinearRegression, "rankDef", {}, {}, lambda m: {"rank": int(m.rank_)}),
    regressor_record("wide (min norm)", LinearRegression, "regWide", {}, {}, lambda m: {"rank": int(m.rank_)}),
    regressor_record("digits (constant pixels: rank 61 of 64)", LinearRegression, "digits", {}, {}, lambda m: {"rank": int(m.rank_)}),
]

out["ridge"] = [
    regressor_record("diabetes alpha=1", Ridge, "diabetes", {}, {}),
    regressor_record("diabetes alpha=0.01", Ridge, "diabetes", {"alpha": 0.01}, {"alpha": 0.01}),
    regressor_record("multi-target alpha=3", Ridge, "regMulti", {"alpha": 3}, {"alpha": 3}),
    regressor_record("wide (dual) alpha=0.5", Ridge, "regWide", {"alpha": 0.5}, {"alpha": 0.5}),
    regressor_record("no intercept", Ridge, "reg", {"alpha": 2, "fitIntercept": False}, {"alpha": 2, "fit_intercept": False}),
    regressor_record("svd solver", Ridge, "diabetes", {"alpha": 0.1, "solver": "svd"}, {"alpha": 0.1, "solver": "svd"}),
    regressor_record("digits alpha=10", Ridge, "digits", {"alpha": 10}, {"alpha": 10}),
]


def cd_extra(m):
    return {"nIter": m.n_iter_, "dualGap": float(m.dual_gap_)}


out["coordinateDescent"] = [
    dict(regressor_record("lasso diabetes alpha=0.1", Lasso, "diabetes", {"alpha": 0.1}, {"alpha": 0.1}, cd_extra), model="Lasso"),
    dict(regressor_record("lasso diabetes alpha=1", Lasso, "diabetes", {"alpha": 1}, {}, cd_extra), model="Lasso"),
    dict(regressor_record("lasso sparse alpha=1", Lasso, "sparse", {}, {}, cd_extra), model="Lasso"),
    dict(regressor_record("lasso positive", Lasso, "sparse", {"alpha": 0.5, "positive": True}, {"alpha": 0.5, "positive": True}, cd_extra), model="Lasso"),
    dict(regressor_record("enet diabetes", ElasticNet, "diabetes", {"alpha": 0.01, "l1Ratio": 0.5}, {"alpha": 0.01, "l1_ratio": 0.5}, cd_extra), model="ElasticNet"),
    dict(regressor_record("enet sparse l1Ratio=0.3", ElasticNet, "sparse", {"alpha": 0.3, "l1Ratio": 0.3}, {"alpha": 0.3, "l1_ratio": 0.3}, cd_extra), model="ElasticNet"),
    dict(regressor_record("enet tight tol", ElasticNet, "diabetes", {"alpha": 0.001, "l1Ratio": 0.7, "tol": 1e-10, "maxIter": 100000},
                          {"alpha": 0.001, "l1_ratio": 0.7, "tol": 1e-10, "max_iter": 100000}, cd_extra), model="ElasticNet"),
]

out["logistic"] = [
    classifier_record("binary breast cancer (scaled)", LogisticRegression, "breastCancerScaled", {}, {}),
    classifier_record("binary C=0.05", LogisticRegression, "breastCancerScaled", {"C": 0.05}, {"C": 0.05}),
    classifier_record("multinomial iris", LogisticRegression, "iris", {}, {}),
    classifier_record("multinomial iris (scaled) C=10", LogisticRegression, "irisScaled", {"C": 10}, {"C": 10}),
    classifier_record("ovr iris", LogisticRegression, "iris", {"multiClass": "ovr"}, {"multi_class": "ovr"}),
    classifier_record("multinomial digits (scaled) tight", LogisticRegression, "digitsScaled", {"C": 0.1, "tol": 1e-7, "maxIter": 2000}, {"C": 0.1, "tol": 1e-7, "max_iter": 2000}),
    classifier_record("penalty none clf3", LogisticRegression, "clf3", {"penalty": "none"}, {"penalty": None}),
    classifier_record("binary multinomial clf2", LogisticRegression, "clf2", {"multiClass": "multinomial"}, {"multi_class": "multinomial"}),
    classifier_record("no intercept clf2", LogisticRegression, "clf2", {"fitIntercept": False, "C": 0.3}, {"fit_intercept": False, "C": 0.3}),
]

out["linearSvc"] = [
    classifier_record("breast cancer (scaled)", LinearSVC, "breastCancerScaled", {}, {"random_state": 0}, proba=False),
    classifier_record("breast cancer tight", LinearSVC, "breastCancerScaled", {"tol": 1e-10, "maxIter": 100000}, {"tol": 1e-10, "max_iter": 100000, "random_state": 0}, proba=False),
    classifier_record("hinge tight C=0.1", LinearSVC, "breastCancerScaled", {"loss": "hinge", "C": 0.1, "tol": 1e-10, "maxIter": 100000},
                      {"loss": "hinge", "C": 0.1, "tol": 1e-10, "max_iter": 100000, "random_state": 0}, proba=False),
    classifier_record("iris ovr (scaled) tight", LinearSVC, "irisScaled", {"tol": 1e-10, "maxIter": 100000}, {"tol": 1e-10, "max_iter": 100000, "random_state": 0}, proba=False),
    classifier_record("intercept scaling 10", LinearSVC, "clf2", {"interceptScaling": 10, "C": 0.1, "tol": 1e-10, "maxIter": 100000},
                      {"intercept_scaling": 10, "C": 0.1, "tol": 1e-10, "max_iter": 100000, "random_state": 0}, proba=False),
]


def sgd_scores(cls, data, skl_opts, seeds=range(5)):
    X, y = load(data)
    return [cls(random_state=s, **skl_opts).fit(X, y).score(X, y) for s in seeds]


out["sgd"] = [
    {"name": "regressor diabetes (scaled)", "model": "SGDRegressor", "data": "diabetesScaled", "options": {},
     "scores": sgd_scores(SGDRegressor, "diabetesScaled", {})},
    {"name": "regressor sparse", "model": "SGDRegressor", "data": "sparse", "options": {},
     "scores": sgd_scores(SGDRegressor, "sparse", {})},
    {"name": "hinge breast cancer (scaled)", "model": "SGDClassifier", "data": "breastCancerScaled", "options": {},
     "scores": sgd_scores(SGDClassifier, "breastCancerScaled", {})},
    {"name": "log_loss breast cancer (scaled)", "model": "SGDClassifier", "data": "breastCancerScaled", "options": {"loss": "log_loss"},
     "scores": sgd_scores(SGDClassifier, "breastCancerScaled", {"loss": "log_loss"})},
    {"name": "hinge iris (scaled)", "model": "SGDClassifier", "data": "irisScaled", "options": {},
     "scores": sgd_scores(SGDClassifier, "irisScaled", {})},
]

# Scalers.
Xb, _ = load("breastCancer")
ss = StandardScaler().fit(Xb)
Xc = np.hstack([load("iris")[0], np.full((150, 1), 0.1), np.zeros((150, 1))])   # constant columns
ssc = StandardScaler().fit(Xc)
ssn = StandardScaler(with_mean=False).fit(Xb)
mm = MinMaxScaler(feature_range=(-1, 2)).fit(Xc)
out["scalers"] = {
    "standard": {"data": "breastCancer", "mean": L(ss.mean_), "var": L(ss.var_), "scale": L(ss.scale_),
                 "transformHead": L(ss.transform(Xb[:HEAD]))},
    "standardConstant": {"mean": L(ssc.mean_), "var": L(ssc.var_), "scale": L(ssc.scale_),
                         "transformHead": L(ssc.transform(Xc[:HEAD]))},
    "standardNoMean": {"data": "breastCancer", "scale": L(ssn.scale_), "transformHead": L(ssn.transform(Xb[:HEAD]))},
    "minMax": {"featureRange": [-1, 2], "dataMin": L(mm.data_min_), "dataMax": L(mm.data_max_),
               "scale": L(mm.scale_), "min": L(mm.min_), "transformHead": L(mm.transform(Xc[:HEAD]))},
}

# Metrics on random labels.
rng = np.random.default_rng(20240611)
yt = rng.integers(0, 3, 200)
yp = np.where(rng.random(200) < 0.6, yt, rng.integers(0, 3, 200))
yp[yp == 2] = np.where(rng.random((yp == 2).sum()) < 0.3, 1, 2)
bt = rng.integers(0, 2, 150)
bp = np.where(rng.random(150) < 0.7, bt, 1 - bt)
score = np.round(bt * 0.3 + rng.random(150), 1)   # one decimal: many ties
names = np.array(["cat", "dog", "emu"])
m = {"yTrue": yt.tolist(), "yPred": yp.tolist(), "bTrue": bt.tolist(), "bPred": bp.tolist(), "bScore": L(score)}
m["accuracy"] = metrics.accuracy_score(yt, yp)
m["accuracyCount"] = int(metrics.accuracy_score(yt, yp, normalize=False))
for avg in ["macro", "micro", "weighted"]:
    m[f"precision_{avg}"] = metrics.precision_score(yt, yp, average=avg)
    m[f"recall_{avg}"] = metrics.recall_score(yt, yp, average=avg)
    m[f"f1_{avg}"] = metrics.f1_score(yt, yp, average=avg)
m["precision_binary"] = metrics.precision_score(bt, bp)
m["recall_binary"] = metrics.recall_score(bt, bp)
m["f1_binary"] = metrics.f1_score(bt, bp)
m["precision_binary_pos0"] = metrics.precision_score(bt, bp, pos_label=0)
m["f1_binary_pos0"] = metrics.f1_score(bt, bp, pos_label=0)
m["f1_names_macro"] = metrics.f1_score(names[yt], names[yp], average="macro")
m["confusion"] = metrics.confusion_matrix(yt, yp).tolist()
m["confusionNames"] = metrics.confusion_matrix(names[yt], names[yp], labels=["emu", "cat", "dog"]).tolist()
m["rocAuc"] = metrics.roc_auc_score(bt, score)
rt = rng.normal(size=100) * 3 + 1
rp = rt + rng.normal(size=100)
m["rTrue"], m["rPred"] = L(rt), L(rp)
m["r2"], m["mse"], m["mae"] = metrics.r2_score(rt, rp), metrics.mean_squared_error(rt, rp), metrics.mean_absolute_error(rt, rp)
R = rng.normal(size=(40, 3)) * [1, 5, 0.2]
Rp = R + rng.normal(size=(40, 3)) * 0.5
m["rTrue2"], m["rPred2"] = L(R), L(Rp)
m["r2Multi"] = metrics.r2_score(R, Rp)
m["r2MultiVW"] = metrics.r2_score(R, Rp, multioutput="variance_weighted")
m["mseMulti"] = metrics.mean_squared_error(R, Rp)
jitter = rng.random(150) * 1e-3
m["bScoreNoTies"] = L(score + jitter)
m["rocAucNoTies"] = metrics.roc_auc_score(bt, score + jitter)
out["metrics"] = m

# Cross-validation (deterministic folds: no shuffling).
Xd, yd = load("diabetes")
Xi, yi = load("iris")
out["crossVal"] = {
    "ridgeDiabetes": cross_val_score(Ridge(alpha=0.5), Xd, yd, cv=5).tolist(),
    "logisticIris": cross_val_score(LogisticRegression(max_iter=1000, tol=1e-8), Xi, yi, cv=5).tolist(),
    "kfoldTests": [test.tolist() for _, test in KFold(n_splits=4).split(np.zeros(10))],
    "stratifiedTests": [test.tolist() for _, test in StratifiedKFold(n_splits=3).split(np.zeros(14), [2, 0, 0, 1, 2, 2, 0, 1, 1, 0, 2, 0, 1, 0])],
}

# L-BFGS on Rosenbrock, scipy's L-BFGS-B with default options.
r = minimize(lambda x: (rosen(x), rosen_der(x)), [-1.2, 1.0], jac=True, method="L-BFGS-B")
r5 = minimize(lambda x: (rosen(x), rosen_der(x)), [-1.2, 1.0, -0.5, 0.8, 1.5], jac=True, method="L-BFGS-B",
              options={"maxcor": 5, "gtol": 1e-8, "ftol": 1e-14})
out["lbfgs"] = [
    {"name": "rosenbrock 2-D", "x0": [-1.2, 1.0], "options": {}, "x": L(r.x), "fun": float(r.fun), "nit": int(r.nit), "nfev": int(r.nfev)},
    {"name": "rosenbrock 5-D m=5", "x0": [-1.2, 1.0, -0.5, 0.8, 1.5], "options": {"m": 5, "tol": 1e-8, "ftol": 1e-14},
     "x": L(r5.x), "fun": float(r5.fun), "nit": int(r5.nit), "nfev": int(r5.nfev)},
]

with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print("wrote", OUT, os.path.getsize(OUT), "bytes")
