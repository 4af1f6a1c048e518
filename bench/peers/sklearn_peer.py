"""scikit-learn side of `tensile bench ml`: fits the same models on the same data (raw
float64 files written by lib/cli/bench/ml.ts) and prints fit times (median of `repeats`, after `warmup` untimed fits) and
test scores as JSON on stdout. Run by the bench; not a test."""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.svm import SVC, LinearSVC

MODELS = {
    "SVC(linear)": lambda: SVC(kernel="linear"),
    "SVC(rbf)": lambda: SVC(kernel="rbf"),
    "LinearSVC": lambda: LinearSVC(),
    "LogisticRegression": lambda: LogisticRegression(),
    "Ridge": lambda: Ridge(alpha=1.0),
    "Lasso": lambda: Lasso(alpha=0.1),
}


def load(path, n, p):
    return np.fromfile(path, dtype="<f8").reshape(n, p) if p else np.fromfile(path, dtype="<f8")


def main():
    spec = json.loads(sys.argv[1])
    out = {}
    for ds in spec["datasets"]:
        Xtr = load(ds["Xtr"], ds["ntr"], ds["p"])
        ytr = load(ds["ytr"], ds["ntr"], 0)
        Xte = load(ds["Xte"], ds["nte"], ds["p"])
        yte = load(ds["yte"], ds["nte"], 0)
        res = {}
        for name in ds["models"]:
            times = []
            warmup = spec.get("warmup", 0)
            for k in range(warmup + spec["repeats"]):
                m = MODELS[name]()
                t0 = time.perf_counter()
                m.fit(Xtr, ytr)
                if k >= warmup:
                    times.append(time.perf_counter() - t0)
            res[name] = {"seconds": float(np.median(times)), "score": float(m.score(Xte, yte))}
        out[ds["name"]] = res
    import sklearn
    print(json.dumps({"sklearn": sklearn.__version__, "results": out}))


if __name__ == "__main__":
    main()
