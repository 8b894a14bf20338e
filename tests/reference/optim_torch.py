#!/usr/bin/env python3
"""Reference values for the optimizer tests, computed by PyTorch.

Writes tests/reference/optim_torch.json (next to this script): what
torch.nn.utils.clip_grad_norm_, the StepLR / CosineAnnealingLR / LinearLR
schedulers and torch.optim.LBFGS (with and without the strong Wolfe line
search) do on small problems. The tests read the JSON and never need torch.

Run it with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 tests/reference/optim_torch.py

Every computation is in float64, on scalar tensors (one per parameter), with
the operations in the same order as the TypeScript tests build them.
"""
import json
import math
import os
import warnings

import torch

torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore")


def clip_cases():
    grads = [3.0, -4.0, 0.5, 1e-3, -2.5]
    cases = []
    for norm_type in [2, 1, math.inf, 3]:
        for max_norm in [1.0, 2.5, 100.0]:
            params = [torch.zeros((), requires_grad=True) for _ in grads]
            for p, g in zip(params, grads):
                p.grad = torch.tensor(g)
            total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
            cases.append({
                "grads": grads,
                "maxNorm": max_norm,
                "normType": "Infinity" if norm_type == math.inf else norm_type,
                "total": float(total),
                "clipped": [float(p.grad) for p in params],
            })
    return {"version": torch.__version__, "cases": cases}


def rates(make, lr, steps):
    """The lr the optimizer uses at optimizer steps 0 .. steps - 1."""
    p = torch.zeros((), requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def schedule_cases():
    S = torch.optim.lr_scheduler
    cases = []

    def add(kind, options, make, lr, steps):
        cases.append({
            "kind": kind,
            "options": options,
            "rates": rates(make, lr, steps),
        })

    add("step", {"lr": 0.1, "stepSize": 3, "gamma": 0.5},
        lambda o: S.StepLR(o, step_size=3, gamma=0.5), 0.1, 20)
    add("step", {"lr": 2.0, "stepSize": 2},
        lambda o: S.StepLR(o, step_size=2), 2.0, 12)
    add("step", {"lr": 0.05, "stepSize": 1, "gamma": 0.9},
        lambda o: S.StepLR(o, step_size=1, gamma=0.9), 0.05, 60)
    add("cosine", {"lr": 0.1, "steps": 10},
        lambda o: S.CosineAnnealingLR(o, T_max=10), 0.1, 35)
    add("cosine", {"lr": 0.5, "steps": 7, "minLr": 0.01},
        lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01), 0.5, 30)
    add("cosine", {"lr": 1.0, "steps": 100},
        lambda o: S.CosineAnnealingLR(o, T_max=100), 1.0, 101)
    add("cosine", {"lr": 0.3, "steps": 1},
        lambda o: S.CosineAnnealingLR(o, T_max=1), 0.3, 6)
    add("linear", {"lr": 0.1, "steps": 5},
        lambda o: S.LinearLR(o), 0.1, 10)
    add("linear", {"lr": 1.0, "steps": 10, "startFactor": 1, "endFactor": 0.1},
        lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1,
                             total_iters=10), 1.0, 15)
    add("linear", {"lr": 0.2, "steps": 4, "startFactor": 0.5, "endFactor": 0},
        lambda o: S.LinearLR(o, start_factor=0.5, end_factor=0.0,
                             total_iters=4), 0.2, 8)
    add("linear", {"lr": 0.01, "steps": 50, "startFactor": 0.01},
        lambda o: S.LinearLR(o, start_factor=0.01, total_iters=50), 0.01, 60)
    return {"version": torch.__version__, "cases": cases}


def rosenbrock(ps):
    x, y = ps
    a = 1 - x
    b = y - x * x
    return a * a + 100 * (b * b)


TANH_X = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]
TANH_Y = [math.sin(2 * x) for x in TANH_X]
# w1 (3), b1 (3), w2 (3), b2 (1)
TANH_START = [0.5, -0.3, 0.8, 0.1, 0.0, -0.2, 0.7, -0.4, 0.3, 0.05]


def tanh_regression(ps):
    w1, b1, w2, b2 = ps[0:3], ps[3:6], ps[6:9], ps[9]
    errors = []
    for x, y in zip(TANH_X, TANH_Y):
        out = None
        for j in range(3):
            term = w2[j] * torch.tanh(w1[j] * x + b1[j])
            out = term if out is None else out + term
        out = out + b2
        e = out - y
        errors.append(e * e)
    total = errors[0]
    for e in errors[1:]:
        total = total + e
    return total / len(errors)


def wiggle(ps):
    """x²/10 + sin(3x): many valleys, for long line-search zooms."""
    x = ps[0]
    return x * x * 0.1 + torch.sin(x * 3)


def slope(ps):
    """-x: no minimum, so the line search extrapolates to its limit."""
    return -ps[0]


def kink(ps):
    """|x - 0.3|: the curvature condition never holds, so the zoom shrinks
    its bracket until it is too small."""
    return torch.abs(ps[0] - 0.3)


PROBLEMS = {
    "rosenbrock": (rosenbrock, [-1.5, 2.0]),
    "tanh": (tanh_regression, TANH_START),
    "wiggle": (wiggle, [0.3]),
    "slope": (slope, [0.0]),
    "kink": (kink, [1.0]),
}


def lbfgs_case(problem, options, steps, start=None):
    f, default_start = PROBLEMS[problem]
    start = default_start if start is None else start
    ps = [torch.tensor(v, requires_grad=True) for v in start]
    torch_options = {
        "lr": options.get("lr", 1),
        "max_iter": options.get("maxIter", 20),
        "history_size": options.get("historySize", 100),
        "line_search_fn": options.get("lineSearchFn"),
    }
    if "maxEval" in options:
        torch_options["max_eval"] = options["maxEval"]
    if "toleranceGrad" in options:
        torch_options["tolerance_grad"] = options["toleranceGrad"]
    if "toleranceChange" in options:
        torch_options["tolerance_change"] = options["toleranceChange"]
    opt = torch.optim.LBFGS(ps, **torch_options)
    evals = []

    def closure():
        opt.zero_grad()
        loss = f(ps)
        loss.backward()
        evals.append([float(p) for p in ps])
        return loss

    out = []
    for _ in range(steps):
        evals = []
        first = opt.step(closure)
        state = opt.state[ps[0]]
        out.append({
            "loss": float(first),
            "params": [float(p) for p in ps],
            "evals": evals,
            "iterations": state["n_iter"],
            "evaluations": state["func_evals"],
        })
    return {"problem": problem, "options": options, "start": start,
            "steps": out}


def lbfgs_cases():
    cases = [
        lbfgs_case("rosenbrock", {"lr": 0.1}, 6),
        lbfgs_case("rosenbrock", {"lineSearchFn": "strong_wolfe"}, 4),
        lbfgs_case("rosenbrock", {"lineSearchFn": "strong_wolfe",
                                  "maxIter": 7, "historySize": 3}, 6),
        lbfgs_case("tanh", {"lr": 0.5, "maxIter": 10}, 5),
        lbfgs_case("tanh", {"lineSearchFn": "strong_wolfe", "maxIter": 10}, 5),
        lbfgs_case("tanh", {"maxIter": 12, "maxEval": 5, "historySize": 2},
                   4),
        # Large first trials: the line search brackets, then zooms.
        lbfgs_case("rosenbrock", {"lineSearchFn": "strong_wolfe", "lr": 10,
                                  "maxIter": 10}, 3),
        lbfgs_case("tanh", {"lineSearchFn": "strong_wolfe", "lr": 50,
                            "maxIter": 10}, 3),
        lbfgs_case("wiggle", {"lineSearchFn": "strong_wolfe", "lr": 7,
                              "maxIter": 10}, 3),
        lbfgs_case("wiggle", {"lr": 0.05, "maxIter": 10}, 3),
        lbfgs_case("slope", {"lineSearchFn": "strong_wolfe", "maxIter": 1},
                   1),
        # The zoom's "insufficient progress" move, its bracket-too-small
        # stop, and the stop on a small parameter change.
        lbfgs_case("wiggle", {"lineSearchFn": "strong_wolfe", "lr": 50}, 3),
        lbfgs_case("wiggle", {"lineSearchFn": "strong_wolfe", "lr": 30,
                              "toleranceChange": 2}, 3, start=[2.0]),
        lbfgs_case("wiggle", {"lr": 0.05, "toleranceChange": 0.01}, 3),
        lbfgs_case("kink", {"lineSearchFn": "strong_wolfe"}, 2),
    ]
    return {"version": torch.__version__, "tanhX": TANH_X, "tanhY": TANH_Y,
            "cases": cases}


def main():
    out = {
        "generator": "tests/reference/optim_torch.py",
        "torch": torch.__version__,
        "clipGradNorm": clip_cases(),
        "schedules": schedule_cases(),
        "lbfgs": lbfgs_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "optim_torch.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
