#!/usr/bin/python3
"""Reference-value generator for tensile's nn layers (test/nn.test.ts).

Run from the repository root with Debian's numpy/torch build:

    /usr/bin/python3 test/reference/gen_nn.py                    # rewrites test/fixtures/nn.json
    /usr/bin/python3 test/reference/gen_nn.py --erfc-coefficients  # prints the erfc Chebyshev table (lib/backends/js/elementwise.ts)

Each record builds a torch layer, fills it with float32-representable random weights, runs
it in float64 on float32-representable inputs, and stores the state dict (PyTorch's keys),
the inputs, the outputs and, where asked, the gradients of
    loss = sum_k sum(output_k * v_k)      (v_k fixed random weights, stored too)
with respect to the inputs and every parameter.  The tests load the state dict with
loadStateDict and compare in float64 (tight) and float32 (loose).

Format: {"generator", "versions", "records": [{name, kind, config, state, inputs, expected,
grads?, weights?}]}, a tensor being {"dtype", "shape", "data"} (flat row-major).
Deterministic: fixed numpy seed, torch on one thread.
"""

import json
import os
import sys

import numpy as np
import torch

torch.set_num_threads(1)
rng = np.random.default_rng(20240611)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "nn.json")


def enc(t):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if a.dtype in (np.int64, np.int32):
        return {"dtype": "int32", "shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    return {"dtype": "float64", "shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def rand(*shape, scale=1.0):
    """Float32-representable values held in float64, so both dtypes see the same inputs."""
    return torch.from_numpy((rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64))


def randomize(module, scale=0.5):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(rand(*p.shape, scale=scale))
    return module


def state(module):
    return {k: enc(v) for k, v in module.state_dict().items()}


def grads_of(outputs, wrt):
    """Gradients of sum_k sum(out_k * v_k) w.r.t. the named tensors in wrt; returns (weights, grads)."""
    vs = [rand(*o.shape) for o in outputs]
    loss = sum((o * v).sum() for o, v in zip(outputs, vs))
    names = list(wrt.keys())
    gs = torch.autograd.grad(loss, [wrt[n] for n in names], allow_unused=True)
    grads = {n: enc(g if g is not None else torch.zeros_like(wrt[n])) for n, g in zip(names, gs)}
    return [enc(v) for v in vs], grads


records = []


def record(name, kind, config, module, inputs, expected, grads=None, weights=None):
    r = {"name": name, "kind": kind, "config": config, "state": state(module) if module is not None else {},
         "inputs": {k: enc(v) for k, v in inputs.items()}, "expected": {k: enc(v) for k, v in expected.items()}}
    if grads is not None:
        r["grads"] = grads
        r["weights"] = weights
    records.append(r)


# ---------------- Linear ----------------

for name, cfg, shape in [("linear 2-D", dict(inFeatures=5, outFeatures=3, bias=True), (4, 5)),
                         ("linear 3-D", dict(inFeatures=5, outFeatures=3, bias=True), (2, 3, 5)),
                         ("linear 1-D no bias", dict(inFeatures=5, outFeatures=2, bias=False), (5,))]:
    m = randomize(torch.nn.Linear(cfg["inFeatures"], cfg["outFeatures"], bias=cfg["bias"]).double())
    x = rand(*shape).requires_grad_()
    y = m(x)
    wrt = {"x": x, **dict(m.named_parameters())}
    ws, gs = grads_of([y], wrt)
    record(name, "Linear", cfg, m, {"x": x}, {"y": y}, gs, ws)

# ---------------- activations ----------------

x_act = torch.cat([torch.tensor([-12.0, -7.5, -5.0, -3.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 1.0, 3.0, 5.0, 7.5, 12.0],
                                dtype=torch.float64), rand(22, scale=2.0)]).reshape(4, 9)
for name, cfg, mod in [("relu", {}, torch.nn.ReLU()),
                       ("leakyrelu default", {}, torch.nn.LeakyReLU()),
                       ("leakyrelu 0.2", {"negativeSlope": 0.2}, torch.nn.LeakyReLU(0.2)),
                       ("tanh", {}, torch.nn.Tanh()),
                       ("sigmoid", {}, torch.nn.Sigmoid()),
                       ("gelu", {}, torch.nn.GELU()),
                       ("gelu tanh", {"approximate": "tanh"}, torch.nn.GELU(approximate="tanh")),
                       ("softmax last", {"axis": -1}, torch.nn.Softmax(dim=-1)),
                       ("softmax 0", {"axis": 0}, torch.nn.Softmax(dim=0))]:
    x = x_act.clone().requires_grad_()
    y = mod(x)
    ws, gs = grads_of([y], {"x": x})
    record("activation " + name, "activation:" + type(mod).__name__, cfg, None, {"x": x}, {"y": y}, gs, ws)

# ---------------- Embedding ----------------

m = randomize(torch.nn.Embedding(10, 4, padding_idx=1).double())
with torch.no_grad():
    m.weight[1].zero_()
ids = torch.tensor([[1, 3, 9], [1, 0, 3]])
y = m(ids)
ws, gs = grads_of([y], dict(m.named_parameters()))
record("embedding padding", "Embedding", dict(numEmbeddings=10, embeddingDim=4, paddingIdx=1), m, {"ids": ids}, {"y": y}, gs, ws)

# ---------------- LSTM ----------------

LSTM_CASES = [
    ("lstm 1 layer", dict(inputSize=3, hiddenSize=4, numLayers=1, batchFirst=False, bias=True), 5, 2, False),
    ("lstm 1 layer batchFirst state", dict(inputSize=3, hiddenSize=4, numLayers=1, batchFirst=True, bias=True), 4, 3, True),
    ("lstm 2 layers", dict(inputSize=3, hiddenSize=4, numLayers=2, batchFirst=False, bias=True), 4, 2, False),
    ("lstm 2 layers state", dict(inputSize=3, hiddenSize=4, numLayers=2, batchFirst=False, bias=True), 3, 2, True),
    ("lstm 2 layers batchFirst", dict(inputSize=2, hiddenSize=3, numLayers=2, batchFirst=True, bias=True), 4, 3, False),
    ("lstm 2 layers batchFirst state no bias", dict(inputSize=2, hiddenSize=3, numLayers=2, batchFirst=True, bias=False), 3, 2, True),
]
for name, cfg, T, B, with_state in LSTM_CASES:
    m = randomize(torch.nn.LSTM(cfg["inputSize"], cfg["hiddenSize"], num_layers=cfg["numLayers"],
                                batch_first=cfg["batchFirst"], bias=cfg["bias"]).double())
    shape = (B, T, cfg["inputSize"]) if cfg["batchFirst"] else (T, B, cfg["inputSize"])
    x = rand(*shape).requires_grad_()
    inputs = {"x": x}
    if with_state:
        h0 = rand(cfg["numLayers"], B, cfg["hiddenSize"]).requires_grad_()
        c0 = rand(cfg["numLayers"], B, cfg["hiddenSize"]).requires_grad_()
        inputs.update(h0=h0, c0=c0)
        out, (h, c) = m(x, (h0, c0))
    else:
        out, (h, c) = m(x)
    ws, gs = grads_of([out, h, c], {**inputs, **dict(m.named_parameters())})
    record(name, "LSTM", cfg, m, inputs, {"output": out, "h": h, "c": c}, gs, ws)

# unbatched input [T, F]
m = randomize(torch.nn.LSTM(3, 2, num_layers=2).double())
x = rand(4, 3)
out, (h, c) = m(x)
record("lstm unbatched", "LSTM", dict(inputSize=3, hiddenSize=2, numLayers=2, batchFirst=False, bias=True), m, {"x": x},
       {"output": out, "h": h, "c": c})

# ---------------- LayerNorm ----------------

for name, cfg, shape in [("layernorm last", dict(normalizedShape=[4], elementwiseAffine=True), (2, 3, 4)),
                         ("layernorm 2 dims", dict(normalizedShape=[3, 4], elementwiseAffine=True, eps=1e-3), (2, 3, 4)),
                         ("layernorm no affine", dict(normalizedShape=[6], elementwiseAffine=False), (5, 6))]:
    m = torch.nn.LayerNorm(cfg["normalizedShape"], eps=cfg.get("eps", 1e-5), elementwise_affine=cfg["elementwiseAffine"]).double()
    randomize(m)
    x = (rand(*shape, scale=2.0) + 1.5).requires_grad_()
    y = m(x)
    ws, gs = grads_of([y], {"x": x, **dict(m.named_parameters())})
    record(name, "LayerNorm", cfg, m, {"x": x}, {"y": y}, gs, ws)

# ---------------- BatchNorm1d: 3 training steps, then eval ----------------

for name, cfg, shape in [("batchnorm 2-D", dict(numFeatures=4, momentum=0.1, affine=True, trackRunningStats=True), (6, 4)),
                         ("batchnorm 3-D", dict(numFeatures=3, momentum=0.3, affine=True, trackRunningStats=True), (4, 3, 5)),
                         ("batchnorm cumulative", dict(numFeatures=4, momentum=None, affine=False, trackRunningStats=True), (5, 4)),
                         ("batchnorm no stats", dict(numFeatures=4, momentum=0.1, affine=True, trackRunningStats=False), (5, 4))]:
    m = torch.nn.BatchNorm1d(cfg["numFeatures"], momentum=cfg["momentum"], affine=cfg["affine"],
                             track_running_stats=cfg["trackRunningStats"]).double()
    randomize(m)
    if cfg["trackRunningStats"]:
        with torch.no_grad():
            m.running_mean.copy_(rand(cfg["numFeatures"], scale=0.3))
            m.running_var.copy_(rand(cfg["numFeatures"]).abs() + 0.5)
            m.num_batches_tracked.fill_(2)
    initial = state(m)
    inputs, expected = {}, {}
    m.train()
    for step in range(3):
        x = rand(*shape, scale=1.5) + 0.7
        inputs["x%d" % step] = x
        expected["y%d" % step] = m(x)
    xe = rand(*shape)
    inputs["xeval"] = xe
    m.eval()
    expected["yeval"] = m(xe)
    for k, v in m.state_dict().items():
        expected["final." + k] = v
    # gradients of one training step (fresh copy of the initial module)
    m2 = torch.nn.BatchNorm1d(cfg["numFeatures"], momentum=cfg["momentum"], affine=cfg["affine"],
                              track_running_stats=cfg["trackRunningStats"]).double()
    m2.load_state_dict({k: torch.tensor(v["data"], dtype=torch.float64 if v["dtype"] == "float64" else torch.int64).reshape(v["shape"])
                        for k, v in initial.items()})
    xg = inputs["x0"].clone().requires_grad_()
    ws, gs = grads_of([m2(xg)], {"x0": xg, **dict(m2.named_parameters())})
    rec = {"name": name, "kind": "BatchNorm1d", "config": cfg, "state": initial,
           "inputs": {k: enc(v) for k, v in inputs.items()}, "expected": {k: enc(v) for k, v in expected.items()},
           "grads": gs, "weights": ws}
    records.append(rec)

# ---------------- state-dict keys of a Sequential ----------------

seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.LSTM(4, 5, num_layers=2),
                          torch.nn.LayerNorm(5), torch.nn.BatchNorm1d(5), torch.nn.Embedding(7, 2), torch.nn.Dropout(0.1),
                          torch.nn.Linear(5, 2, bias=False))
sd_keys = {"name": "sequential keys", "kind": "keys", "config": {},
           "keys": [[k, list(v.shape)] for k, v in seq.state_dict().items()],
           "parameters": [k for k, _ in seq.named_parameters()]}
records.append(sd_keys)


def erfc_coefficients():
    """Chebyshev coefficients of f(y) = log(erfcx(z) / t), t = 2/(2+z), y = 2t - 1 (see lib/nn/activation.ts)."""
    import mpmath as mp
    mp.mp.dps = 50

    def f(y):
        t = (y + 1) / 2
        z = 2 / t - 2
        return mp.log(mp.erfc(z) * mp.exp(z * z) / t)

    n = 60
    fv = [f(mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n)) for j in range(n)]
    c = [2 * mp.fsum(fv[j] * mp.cos(mp.pi * k * (j + mp.mpf(1) / 2) / n) for j in range(n)) / n for k in range(n)]
    c[0] /= 2
    for k in range(28):
        print(mp.nstr(c[k], 20))


if __name__ == "__main__":
    if "--erfc-coefficients" in sys.argv:
        erfc_coefficients()
        sys.exit(0)
    out = {"generator": "test/reference/gen_nn.py",
           "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "torch": torch.__version__},
           "records": records}
    with open(OUT, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
        fh.write("\n")
    print("wrote %d records to %s (%d bytes)" % (len(records), OUT, os.path.getsize(OUT)))
