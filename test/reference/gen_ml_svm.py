#!/usr/bin/python3
"""Reference-value generator for tensile's kernel methods (test/ml-svm.test.ts): SVC, SVR,
PCA and GaussianNB from scikit-learn.

Run from the repository root with Debian's numpy/scipy/scikit-learn:

    /usr/bin/python3 test/reference/gen_ml_svm.py        # rewrites test/fixtures/ml_svm.json

Every record names a dataset the tests can rebuild exactly from tn.data (iris, breast cancer,
digits, diabetes; "scaled" = standardised with the population std, as StandardScaler; "subset"
= the first rows), the estimator's parameters (sklearn's names), and what sklearn fitted:
attributes and outputs on the training rows (the first `nEval` rows where that keeps the file
small).  Format: {"generator", "versions", "records": [{name, model, data, params, expected}]},
each expected value {"shape", "data"} (flat row-major).  Deterministic: no randomness is used.
"""

import json
import os
import sys

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.decomposition import PCA
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import SVC, SVR

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "ml_svm.json")


def enc(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def scaled(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def dataset(spec):
    """The data a record names; the tests rebuild the same arrays from tn.data."""
    name = spec["name"]
    if name == "iris":
        X, y = load_iris(return_X_y=True)
    elif name == "breastCancer":
        X, y = load_breast_cancer(return_X_y=True)
    elif name == "digits":
        X, y = load_digits(return_X_y=True)
    elif name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    else:
        raise ValueError(name)
    if "rows" in spec:
        X, y = X[: spec["rows"]], y[: spec["rows"]]
    if spec.get("scaled"):
        X = scaled(X)
    return X, y


def rbf_gram(A, B, gamma):
    """exp(-gamma * sum_k (a_k - b_k)^2), the squares summed in feature order (as the tests do)."""
    d = np.zeros((len(A), len(B)))
    for k in range(A.shape[1]):
        d += (A[:, k][:, None] - B[:, k][None, :]) ** 2
    return np.exp(-gamma * d)


records = []


def svc(name, data, params, n_eval=None, precomputed_gamma=None):
    X, y = dataset(data)
    Xfit = rbf_gram(X, X, precomputed_gamma) if precomputed_gamma is not None else X
    m = SVC(**params).fit(Xfit, y)
    n = n_eval or len(y)
    Xe = Xfit[:n]
    ovo = SVC(**params, decision_function_shape="ovo").fit(Xfit, y)
    exp = {
        "support": enc(m.support_),
        "nSupport": enc(m.n_support_),
        "dualCoef": enc(m.dual_coef_),
        "intercept": enc(m.intercept_),
        "nIter": enc(m.n_iter_),
        "fitStatus": int(m.fit_status_),
        "classes": enc(m.classes_),
        "decision": enc(m.decision_function(Xe)),
        "predict": enc(m.predict(Xe)),
    }
    if len(m.classes_) > 2:
        exp["decisionOvo"] = enc(ovo.decision_function(Xe))
    if params.get("kernel") == "linear":
        exp["coef"] = enc(m.coef_)
    records.append({"name": name, "model": "SVC", "data": data, "nEval": n,
                    "params": {**params, **({"precomputedGamma": precomputed_gamma} if precomputed_gamma else {})},
                    "expected": exp, "gamma": float(m._gamma)})


def svr(name, data, params):
    X, y = dataset(data)
    m = SVR(**params).fit(X, y)
    exp = {
        "support": enc(m.support_),
        "nSupport": enc(m.n_support_),
        "dualCoef": enc(m.dual_coef_),
        "intercept": enc(m.intercept_),
        "nIter": enc(np.atleast_1d(m.n_iter_)),
        "predict": enc(m.predict(X)),
        "score": float(m.score(X, y)),
    }
    if params.get("kernel") == "linear":
        exp["coef"] = enc(m.coef_)
    records.append({"name": name, "model": "SVR", "data": data, "nEval": len(y), "params": params, "expected": exp,
                    "gamma": float(m._gamma)})


def pca(name, data, params, n_eval=100):
    X, _ = dataset(data)
    m = PCA(svd_solver="full", **params).fit(X)
    Xt = PCA(svd_solver="full", **params).fit_transform(X)
    exp = {
        "components": enc(m.components_),
        "explainedVariance": enc(m.explained_variance_),
        "explainedVarianceRatio": enc(m.explained_variance_ratio_),
        "singularValues": enc(m.singular_values_),
        "mean": enc(m.mean_),
        "nComponents": int(m.n_components_),
        "noiseVariance": float(m.noise_variance_),
        "transform": enc(m.transform(X[:n_eval])),
        "fitTransform": enc(Xt[:n_eval]),
        "inverse": enc(m.inverse_transform(m.transform(X[:n_eval]))),
    }
    records.append({"name": name, "model": "PCA", "data": data, "nEval": n_eval, "params": params, "expected": exp})


def gnb(name, data, params):
    X, y = dataset(data)
    m = GaussianNB(**params).fit(X, y)
    exp = {
        "theta": enc(m.theta_),
        "var": enc(m.var_),
        "classPrior": enc(m.class_prior_),
        "classCount": enc(m.class_count_),
        "epsilon": float(m.epsilon_),
        "proba": enc(m.predict_proba(X)),
        "logProba": enc(m.predict_log_proba(X)),
        "predict": enc(m.predict(X)),
        "score": float(m.score(X, y)),
    }
    records.append({"name": name, "model": "GaussianNB", "data": data, "nEval": len(y), "params": params,
                    "expected": exp})


def main():
    bc = {"name": "breastCancer", "scaled": True}
    iris = {"name": "iris"}
    svc("svc_bc_linear", bc, {"kernel": "linear"})
    svc("svc_bc_rbf", bc, {"kernel": "rbf"})
    svc("svc_bc_rbf_C10_noshrink", bc, {"kernel": "rbf", "C": 10.0, "shrinking": False})
    svc("svc_bc_rbf_balanced", bc, {"kernel": "rbf", "class_weight": "balanced"})
    for k in ["linear", "rbf", "poly", "sigmoid"]:
        svc("svc_iris_" + k, iris, {"kernel": k})
    svc("svc_iris_poly_deg2", iris, {"kernel": "poly", "degree": 2, "gamma": 0.5, "coef0": 1.0, "C": 3.0})
    svc("svc_iris_rbf_auto", iris, {"kernel": "rbf", "gamma": "auto", "C": 0.5})
    svc("svc_iris_rbf_classweight", iris, {"kernel": "rbf", "class_weight": {0: 1.0, 1: 5.0, 2: 0.5}})
    svc("svc_iris_maxiter", iris, {"kernel": "linear", "max_iter": 5})
    svc("svc_iris_precomputed", iris, {"kernel": "precomputed"}, precomputed_gamma=0.25)
    svc("svc_iris_rbf_g025", iris, {"kernel": "rbf", "gamma": 0.25})
    svc("svc_digits_rbf", {"name": "digits", "rows": 600}, {"kernel": "rbf"}, n_eval=60)
    diab = {"name": "diabetes"}
    svr("svr_diabetes_rbf", diab, {"kernel": "rbf", "C": 100.0})
    svr("svr_diabetes_linear", diab, {"kernel": "linear", "C": 100.0, "epsilon": 5.0})
    svr("svr_diabetes_poly", diab, {"kernel": "poly", "C": 1000.0, "degree": 2, "gamma": 1.0, "coef0": 1.0})
    pca("pca_digits_all", {"name": "digits"}, {}, n_eval=20)
    pca("pca_digits_10_whiten", {"name": "digits"}, {"n_components": 10, "whiten": True}, n_eval=20)
    pca("pca_iris_2", iris, {"n_components": 2})
    pca("pca_iris_095", iris, {"n_components": 0.95})
    pca("pca_iris_whiten", iris, {"n_components": 3, "whiten": True})
    pca("pca_wide", {"name": "iris", "rows": 3}, {})
    gnb("gnb_iris", iris, {})
    gnb("gnb_iris_priors", iris, {"priors": [0.5, 0.3, 0.2], "var_smoothing": 1e-3})
    gnb("gnb_bc", {"name": "breastCancer"}, {})

    out = {"generator": "test/reference/gen_ml_svm.py",
           "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                        "sklearn": sklearn.__version__},
           "records": records}
    with open(OUT, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
        fh.write("\n")
    print("wrote %d records to %s (%d bytes)" % (len(records), OUT, os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
