#!/usr/bin/python3
"""Reference values for tests/grad_torch_test.ts, computed by PyTorch.

Builds GRAPHS random expression graphs (seeded) over the engine's ops in
float64, and records for each one: the graph (so the test can rebuild it
with the engine), the input values, the output's value, its first
derivatives, and its full Hessian from torch.autograd.grad(...,
create_graph=True), one row per first derivative.

Run from the repository root (Debian: apt-get install python3-torch):

    /usr/bin/python3 tests/reference/grad_torch.py > tests/reference/grad_torch.json
    deno fmt tests/reference/grad_torch.json

The graph format, one entry per node, inputs by index of an earlier node:
    ["leaf"]                  an input x_k (the first `inputs` nodes)
    ["const", c]              a number operand (only as a second operand or in sum)
    [op, i] / [op, i, j]      a unary / binary op
    ["sum", i, j, ...]        the n-ary sum, added left to right
The output is the last node.
"""

import json
import math
import random
import sys

import torch

SEED = 20261129
GRAPHS = 200

UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sin", "cos"]
BINARY = ["add", "sub", "mul", "div", "pow"]
CONSTANT_EXPONENTS = [2.0, 3.0, 0.5, -1.0, -0.5, 1.5]


def apply(op, xs):
    """The op on torch tensors (or Python floats for constants)."""
    if op == "add":
        return xs[0] + xs[1]
    if op == "sub":
        return xs[0] - xs[1]
    if op == "mul":
        return xs[0] * xs[1]
    if op == "div":
        return xs[0] / xs[1]
    if op == "pow":
        return xs[0] ** xs[1]
    if op == "neg":
        return -xs[0]
    if op == "exp":
        return torch.exp(xs[0])
    if op == "log":
        return torch.log(xs[0])
    if op == "sqrt":
        return torch.sqrt(xs[0])
    if op == "tanh":
        return torch.tanh(xs[0])
    if op == "sigmoid":
        return torch.sigmoid(xs[0])
    if op == "relu":
        return torch.relu(xs[0])
    if op == "abs":
        return torch.abs(xs[0])
    if op == "sin":
        return torch.sin(xs[0])
    if op == "cos":
        return torch.cos(xs[0])
    if op == "sum":
        total = xs[0]
        for x in xs[1:]:
            total = total + x
        return total
    raise ValueError(op)


def value(x):
    return x.item() if torch.is_tensor(x) else x


def allowed(op, vs):
    """Whether op at these operand values stays well inside its domain."""
    if op == "div":
        return abs(vs[1]) > 0.2
    if op == "pow":
        if isinstance(vs[1], float) and vs[1] in (2.0, 3.0, -1.0):
            return abs(vs[0]) > 0.2  # integer exponent: any sign of the base
        return vs[0] > 0.2 and abs(vs[1]) < 3
    if op == "exp":
        return vs[0] < 4
    if op in ("log", "sqrt"):
        return vs[0] > 0.2
    if op in ("relu", "abs"):
        return abs(vs[0]) > 1e-3
    return True


def make_graph(rng, index):
    n_inputs = rng.randint(1, 4)
    n_ops = rng.randint(4, 16)
    xs = [rng.uniform(-2, 2) for _ in range(n_inputs)]
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    nodes = [["leaf"] for _ in xs]
    tensors = list(leaves)
    used = [False] * n_inputs

    def pick():
        # Prefer recent nodes, so graphs get deep as well as wide.
        k = len(nodes)
        while True:
            i = k - 1 - min(int(rng.expovariate(0.4)), k - 1)
            if nodes[i][0] != "const":
                return i

    def push(entry, t):
        for i in entry[1:]:
            used[i] = True
        nodes.append(entry)
        tensors.append(t)
        used.append(False)

    def constant(c):
        nodes.append(["const", c])
        tensors.append(c)
        used.append(True)
        return len(nodes) - 1

    made = 0
    while made < n_ops:
        r = rng.random()
        if r < 0.45:
            op = rng.choice(UNARY)
            args = [pick()]
            consts = []
        elif r < 0.9:
            op = rng.choice(BINARY)
            a = pick()
            if op == "pow" and rng.random() < 0.5:
                consts = [rng.choice(CONSTANT_EXPONENTS)]
                args = [a]
            elif rng.random() < 0.2:
                consts = [round(rng.uniform(-2, 2), 3) or 1.0]
                args = [a]
            else:
                consts = []
                args = [a, pick()]
        else:
            op = "sum"
            args = [pick() for _ in range(rng.randint(2, 4))]
            consts = [round(rng.uniform(-1, 1), 3)] if rng.random() < 0.3 else []
        vs = [value(tensors[i]) for i in args] + consts
        if not allowed(op, vs):
            continue
        out = apply(op, [tensors[i] for i in args] + consts)
        if not math.isfinite(out.item()) or abs(out.item()) > 1e3:
            continue
        indices = args + [constant(c) for c in consts]
        if op == "sum" and consts:
            rng.shuffle(indices)
        push([op] + indices, out)
        made += 1
    # The output: everything not used yet (inputs included), summed, so that
    # the output depends on every node built.
    loose = [i for i in range(len(nodes)) if not used[i] and nodes[i][0] != "const"]
    if len(loose) > 1:
        push(["sum"] + loose, apply("sum", [tensors[i] for i in loose]))
    y = tensors[-1]
    first = torch.autograd.grad(y, leaves, create_graph=True, allow_unused=True)
    grads = []
    hessian = []
    for k, g in enumerate(first):
        if g is None:
            g = torch.zeros((), dtype=torch.float64)
        grads.append(g.item())
        if not g.requires_grad:
            hessian.append([0.0] * n_inputs)
            continue
        row = torch.autograd.grad(g, leaves, retain_graph=True, allow_unused=True)
        hessian.append([0.0 if h is None else h.item() for h in row])
    return {
        "id": index,
        "inputs": xs,
        "nodes": nodes,
        "value": y.item(),
        "grad": grads,
        "hessian": hessian,
    }


def main():
    rng = random.Random(SEED)
    graphs = [make_graph(rng, i) for i in range(GRAPHS)]
    out = {
        "generator": "tests/reference/grad_torch.py",
        "torch": torch.__version__,
        "seed": SEED,
        "graphs": graphs,
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
