#!/usr/bin/python3
"""Reference loss curves for tensile's fit (test/training.test.ts).

Run from the repository root with Debian's numpy/torch build:

    /usr/bin/python3 test/reference/gen_training.py   # rewrites test/fixtures/training.json

Each case is a small MLP with fixed float32 initial weights (PyTorch state-dict keys, which
tensile's Sequential of Dense layers shares), fixed float32 data, and the loss of each of
100 full-batch steps computed by PyTorch in float32: losses[k] is the loss before update k,
which is what fit's History reports for epoch k with batchSize = N and shuffle off.

The Keras-side meaning of each case: a Dense(..., softmax) head with
sparseCategoricalCrossentropy is torch's CrossEntropyLoss on the logits; a Dense(1, sigmoid)
head with binaryCrossentropy is BCEWithLogitsLoss; a linear head with mse is MSELoss.

Format: {"generator", "versions", "cases": [{name, layers, optimizer, loss, metrics, state,
x, y, losses, final}]}, a tensor being {"dtype", "shape", "data"} (flat row-major).
Deterministic: fixed numpy seed, torch on one thread.
"""

import json
import os
import platform

import numpy as np
import torch

torch.set_num_threads(1)
rng = np.random.default_rng(20240720)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "training.json")
STEPS = 100


def enc(a):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    if a.dtype.kind in "iu":
        return {"dtype": "int32", "shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    return {"dtype": "float32", "shape": list(a.shape), "data": [float(v) for v in a.astype(np.float32).reshape(-1)]}


def f32(a):
    return np.asarray(a, dtype=np.float32)


def mlp(sizes, hidden_act):
    """torch's twin of Sequential(Dense(h, act), Dense(out)): Linear, act, Linear (keys 0.*, 2.*)."""
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        bound = 1 / np.sqrt(sizes[i])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(f32(rng.uniform(-bound, bound, (sizes[i + 1], sizes[i])))))
            lin.bias.copy_(torch.from_numpy(f32(rng.uniform(-bound, bound, sizes[i + 1]))))
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append({"relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh()}[hidden_act])
    return torch.nn.Sequential(*layers)


def run(name, sizes, hidden_act, head, loss_name, optimizer, x, y, metrics):
    model = mlp(sizes, hidden_act)
    # tensile's Sequential(Dense, Dense) names its layers 0 and 1; torch's Sequential puts the
    # activation module at index 1, so the second Linear is '2' there: rename.
    state = {k.replace("2.", "1.", 1) if k.startswith("2.") else k: enc(v) for k, v in model.state_dict().items()}
    xt = torch.from_numpy(x)
    if loss_name == "sparseCategoricalCrossentropy":
        yt = torch.from_numpy(y.astype(np.int64))
        crit = torch.nn.CrossEntropyLoss()
    elif loss_name == "binaryCrossentropy":
        yt = torch.from_numpy(y.reshape(-1, 1))
        crit = torch.nn.BCEWithLogitsLoss()
    else:
        yt = torch.from_numpy(y.reshape(-1, 1))
        crit = torch.nn.MSELoss()
    opt_type = optimizer["type"]
    kwargs = {k: v for k, v in optimizer.items() if k != "type"}
    torch_kwargs = {{"weightDecay": "weight_decay"}.get(k, k): v for k, v in kwargs.items()}
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}[opt_type](model.parameters(), **torch_kwargs)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = crit(model(xt), yt)
        losses.append(float(loss))
        loss.backward()
        opt.step()
    final = {k.replace("2.", "1.", 1) if k.startswith("2.") else k: enc(v) for k, v in model.state_dict().items()}
    return {
        "name": name,
        "layers": [{"units": sizes[1], "activation": hidden_act, "inputDim": sizes[0]}, {"units": sizes[2], "activation": head, "inputDim": sizes[1]}],
        "optimizer": optimizer,
        "loss": loss_name,
        "metrics": metrics,
        "state": state,
        "x": enc(x),
        "y": enc(y),
        "losses": losses,
        "final": final,
    }


def main():
    n = 64
    x = f32(rng.normal(size=(n, 4)))
    w = rng.normal(size=(4, 3))
    y3 = np.argmax(x @ w + 0.3 * rng.normal(size=(n, 3)), axis=1).astype(np.int32)
    yb = f32((x[:, 0] - 0.5 * x[:, 1] + 0.2 * rng.normal(size=n)) > 0)
    yr = f32(x @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=n))
    cases = [
        run("adam_softmax_sparse_ce", [4, 16, 3], "relu", "softmax", "sparseCategoricalCrossentropy",
            {"type": "adam", "lr": 0.01}, x, y3, ["accuracy"]),
        run("sgd_momentum_sigmoid_bce", [4, 8, 1], "tanh", "sigmoid", "binaryCrossentropy",
            {"type": "sgd", "lr": 0.1, "momentum": 0.9}, x, yb, ["binaryAccuracy"]),
        run("rmsprop_linear_mse", [4, 8, 1], "relu", "linear", "mse",
            {"type": "rmsprop", "lr": 0.005}, x, yr, ["mae"]),
    ]
    doc = {
        "generator": "test/reference/gen_training.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__},
        "steps": STEPS,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases of {STEPS} steps")


if __name__ == "__main__":
    main()
