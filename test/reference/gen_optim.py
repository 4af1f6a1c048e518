#!/usr/bin/python3
"""Reference trajectories for tn.optim, from torch.optim (torch 1.13).

Run from the repository root with Debian's numpy/torch build:

    /usr/bin/python3 test/reference/gen_optim.py

It rewrites test/fixtures/optim.json (deterministic: fixed numpy seed, torch on one CPU
thread).  The jest tests (test/optim.test.ts) only read that JSON.

Contents:
  problem     float32 initial parameters and data of a fixed problem: a quadratic
              0.5 * |A x - b|^2 plus a 3-4-2 tanh MLP with a mean-squared-error loss.
              params, in order: x [5], w1 [4,3], b1 [4], w2 [2,4], b2 [2].
  optimizers  one record per optimizer configuration: the tensile class name, its options
              (camelCase, as tensile takes them), optional parameter groups, and the
              parameters after each of STEPS steps, all five flattened and concatenated.
  clip        gradients before/after clip_grad_norm_ / clip_grad_value_ and the total norm.
  schedulers  the learning rate of each of two parameter groups (lr 0.1 and 0.01) after
              construction and after each of 30 scheduler steps.
Floats are written with 9 significant digits, which round-trips float32.
"""

import json
import math
import os

import numpy as np
import torch

torch.set_num_threads(1)
rng = np.random.default_rng(20240607)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "optim.json")
STEPS = 25
SCHED_STEPS = 30


def f32(shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def enc(a):
    return [float("%.9g" % v) for v in np.asarray(a, dtype=np.float64).ravel()]


def T(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": enc(a)}


# ---- the fixed problem ----------------------------------------------------

PROBLEM = {
    "A": f32([5, 5], 0.5),
    "b": f32([5]),
    "X": f32([8, 3]),
    "Y": f32([8, 2]),
}
INIT = [f32([5]), f32([4, 3], 0.5), f32([4], 0.1), f32([2, 4], 0.5), f32([2], 0.1)]


def loss_fn(params):
    x, w1, b1, w2, b2 = params
    A, b, X, Y = (torch.from_numpy(PROBLEM[k]) for k in ("A", "b", "X", "Y"))
    quad = (A @ x - b).square().sum() * 0.5
    h = torch.tanh(X @ w1.T + b1)
    mlp = (h @ w2.T + b2 - Y).square().mean()
    return quad + mlp


def make_params():
    return [torch.tensor(p, requires_grad=True) for p in INIT]


SNAKE = {"weightDecay": "weight_decay", "lrDecay": "lr_decay",
         "initialAccumulatorValue": "initial_accumulator_value"}


def torch_kwargs(opts):
    out = {}
    for k, v in opts.items():
        out[SNAKE.get(k, k)] = tuple(v) if k == "betas" else v
    return out


def trajectory(cls, opts, groups=None):
    params = make_params()
    if groups is None:
        opt = getattr(torch.optim, cls)(params, **torch_kwargs(opts))
    else:
        spec = [dict(torch_kwargs({k: v for k, v in g.items() if k != "params"}),
                     params=[params[i] for i in g["params"]]) for g in groups]
        opt = getattr(torch.optim, cls)(spec, **torch_kwargs(opts))
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(params).backward()
        opt.step()
        out.append(enc(torch.cat([p.detach().ravel() for p in params]).numpy()))
    return out


CASES = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("sgd_nesterov_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}),
    ("sgd_weight_decay", "SGD", {"lr": 0.1, "weightDecay": 0.1}),
    ("sgd_maximize", "SGD", {"lr": 0.005, "momentum": 0.5, "maximize": True}),
    ("adam_defaults", "Adam", {}),
    ("adam", "Adam", {"lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6}),
    ("adam_weight_decay", "Adam", {"lr": 0.01, "weightDecay": 0.1}),
    ("adam_amsgrad", "Adam", {"lr": 0.02, "amsgrad": True}),
    ("adamw_defaults", "AdamW", {}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.02, "weightDecay": 0.1, "amsgrad": True}),
    ("rmsprop_defaults", "RMSprop", {}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.005, "momentum": 0.9, "alpha": 0.9}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.005, "centered": True, "weightDecay": 0.01}),
    ("rmsprop_centered_momentum", "RMSprop", {"lr": 0.002, "centered": True, "momentum": 0.8, "eps": 1e-6}),
    ("adagrad_defaults", "Adagrad", {}),
    ("adagrad_options", "Adagrad", {"lr": 0.1, "lrDecay": 0.01, "weightDecay": 0.1,
                                    "initialAccumulatorValue": 0.1, "eps": 1e-8}),
]

GROUP_CASES = [
    ("sgd_groups", "SGD", {"lr": 0.05, "momentum": 0.9},
     [{"params": [0], "lr": 0.1, "momentum": 0}, {"params": [1, 2, 3, 4]}]),
    ("adam_groups", "Adam", {"lr": 0.01},
     [{"params": [1, 2]}, {"params": [0, 3, 4], "lr": 0.03, "amsgrad": True}]),
]


def gen_optimizers():
    recs = []
    for name, cls, opts in CASES:
        recs.append({"name": name, "optimizer": cls, "options": opts, "trajectory": trajectory(cls, opts)})
    for name, cls, opts, groups in GROUP_CASES:
        recs.append({"name": name, "optimizer": cls, "options": opts, "groups": groups,
                     "trajectory": trajectory(cls, opts, groups)})
    return recs


# ---- gradient clipping ----------------------------------------------------

def gen_clip():
    shapes = [[3, 4], [5], [2, 2, 2]]
    grads = [f32(s) for s in shapes]
    recs = []

    def with_grads():
        ps = [torch.zeros(s, requires_grad=True) for s in shapes]
        for p, g in zip(ps, grads):
            p.grad = torch.tensor(g)
        return ps

    for norm_type in [2.0, 1.0, 3.0, "inf"]:
        for max_norm in [0.5, 1000.0]:
            ps = with_grads()
            nt = math.inf if norm_type == "inf" else norm_type
            total = torch.nn.utils.clip_grad_norm_(ps, max_norm, nt)
            recs.append({"kind": "norm", "maxNorm": max_norm, "normType": norm_type,
                         "total": float(total), "clipped": [T(p.grad.numpy()) for p in ps]})
    ps = with_grads()
    torch.nn.utils.clip_grad_value_(ps, 0.5)
    recs.append({"kind": "value", "clip": 0.5, "clipped": [T(p.grad.numpy()) for p in ps]})
    return {"grads": [T(g) for g in grads], "cases": recs}


# ---- learning-rate schedulers ---------------------------------------------

def sched_opt():
    return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": 0.1},
                            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.01}], lr=0.1)


def lr_sequence(make, metrics=None):
    opt = sched_opt()
    s = make(opt)
    seq = [[g["lr"] for g in opt.param_groups]]
    for i in range(SCHED_STEPS):
        opt.step()
        if metrics is None:
            s.step()
        else:
            s.step(metrics[i])
        seq.append([g["lr"] for g in opt.param_groups])
    return seq


def warmup_factor(e, warmup, start):
    return start + (1 - start) * min(e, warmup) / warmup


def gen_schedulers():
    L = torch.optim.lr_scheduler
    recs = []

    def add(name, cls, opts, make, metrics=None, after=None):
        r = {"name": name, "scheduler": cls, "options": opts, "lrs": lr_sequence(make, metrics)}
        if metrics is not None:
            r["metrics"] = metrics
        if after is not None:
            r["after"] = after
        recs.append(r)

    add("step", "StepLR", {"stepSize": 7, "gamma": 0.5}, lambda o: L.StepLR(o, 7, gamma=0.5))
    add("step_default_gamma", "StepLR", {"stepSize": 3}, lambda o: L.StepLR(o, 3))
    add("exponential", "ExponentialLR", {"gamma": 0.9}, lambda o: L.ExponentialLR(o, 0.9))
    add("cosine", "CosineAnnealingLR", {"tMax": 30}, lambda o: L.CosineAnnealingLR(o, 30))
    # tMax 10 over 30 steps: past tMax the cosine rises again, as PyTorch's does.
    add("cosine_eta_min_wraps", "CosineAnnealingLR", {"tMax": 10, "etaMin": 0.001},
        lambda o: L.CosineAnnealingLR(o, 10, eta_min=0.001))
    # LinearWarmup is checked against LambdaLR with the same formula.
    add("warmup", "LinearWarmup", {"warmupSteps": 5},
        lambda o: L.LambdaLR(o, lambda e: warmup_factor(e, 5, 0.0)))
    add("warmup_start_factor", "LinearWarmup", {"warmupSteps": 8, "startFactor": 0.25},
        lambda o: L.LambdaLR(o, lambda e: warmup_factor(e, 8, 0.25)))
    add("warmup_then_cosine", "LinearWarmup", {"warmupSteps": 5},
        lambda o: L.LambdaLR(o, lambda e: warmup_factor(e, 5, 0.0) if e < 5
                             else 0.5 * (1 + math.cos(math.pi * (e - 5) / 20))),
        after={"scheduler": "CosineAnnealingLR", "options": {"tMax": 20}})
    add("warmup_then_step", "LinearWarmup", {"warmupSteps": 4, "startFactor": 0.1},
        lambda o: L.LambdaLR(o, lambda e: warmup_factor(e, 4, 0.1) if e < 4 else 0.5 ** ((e - 4) // 6)),
        after={"scheduler": "StepLR", "options": {"stepSize": 6, "gamma": 0.5}})

    falling = [1.0 / (i + 1) for i in range(8)] + [0.125] * 10 + [0.12, 0.1249, 0.11, 0.2] + [0.3] * 8
    add("plateau", "ReduceLROnPlateau", {"patience": 2, "factor": 0.5},
        lambda o: L.ReduceLROnPlateau(o, patience=2, factor=0.5), metrics=falling)
    add("plateau_cooldown_min_lr", "ReduceLROnPlateau",
        {"patience": 1, "factor": 0.3, "cooldown": 2, "minLr": [0.02, 0.0005], "threshold": 0.01},
        lambda o: L.ReduceLROnPlateau(o, patience=1, factor=0.3, cooldown=2, min_lr=[0.02, 0.0005],
                                      threshold=0.01), metrics=falling)
    rising = [0.5 + 0.01 * i for i in range(10)] + [0.595] * 10 + [0.6 + 0.001 * i for i in range(10)]
    add("plateau_max_abs", "ReduceLROnPlateau",
        {"mode": "max", "thresholdMode": "abs", "threshold": 0.002, "patience": 3},
        lambda o: L.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", threshold=0.002, patience=3),
        metrics=rising)
    return recs


def main():
    out = {
        "generator": "test/reference/gen_optim.py",
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
        "steps": STEPS,
        "problem": {
            "init": [T(p) for p in INIT],
            **{k: T(v) for k, v in PROBLEM.items()},
        },
        "optimizers": gen_optimizers(),
        "clip": gen_clip(),
        "schedulers": gen_schedulers(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d optimizer cases, %d schedulers)" % (OUT, len(out["optimizers"]), len(out["schedulers"])))


if __name__ == "__main__":
    main()
