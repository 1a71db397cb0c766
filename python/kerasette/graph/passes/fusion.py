"""Fusion: patterns of primitives rewritten onto the fused kernels.

    matmul(a, transpose(b))          -> matmul_t(a, b, transpose_b)   (no transpose copy)
    act(matmul(x, w) + bias)         -> dense_act(x, w, bias, act)    (GEMM epilogue)
    act(conv2d(x, w) + bias)         -> conv2d_bias_act               (passes/conv_fusion.py)
    pool2d_grad(y, g) * (y > 0)      -> pool2d_grad(relu_mask)        (passes/conv_fusion.py)
    filter + bias grads of pooled dz -> conv2d_pool_grad_filter       (passes/conv_fusion.py)
    chains of elementwise ops        -> fused_ewise                   (one pass)
    loss_rows + loss_rows_grad       -> loss_rows_and_grad            (one pass over the rows)

A value another op still reads (the backward pass reads a Dense's pre-activation for
some activations) is never fused away: the pattern stops before it. The cross-entropy
of a softmax needs no pattern: the trainer emits the fused loss op directly.
"""

import os

import numpy as np

from .. import fused  # noqa: F401  (registers the fused ops)
from ..fnir import Rebuilder
from ..registry import get

# graph ops that are one of the GEMM epilogue's activations (csrc activation.h)
_ACTS = {
    "relu": "relu",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softplus": "softplus",
    "softsign": "softsign",
    "silu": "silu",
    "elu": "elu",
    "selu": "selu",
    "relu6": "relu6",
    "gelu": "gelu",
    "gelu_tanh": "gelu_tanh",
    "mish": "mish",
    "hard_sigmoid": "hard_sigmoid",
    "hard_silu": "hard_silu",
    "exp": "exponential",
}
_MAX_CHAIN = 24


def disabled():
    v = os.environ.get("KERASETTE_DISABLE_PASSES", "")
    names = {s.strip() for s in v.split(",")}
    return "all" in names or "fusion" in names


def _consumers(fn):
    users = {}
    for node in fn.nodes:
        for i in node.inputs:
            users.setdefault(id(i), []).append(node)
    for s in fn.outputs + fn.effects:
        users.setdefault(id(s), []).append(None)  # read from outside
    return users


def _is_ewise(node):
    if node.op in ("full_like",) or len(node.outputs) != 1:
        return False
    try:
        return get(node.op).kernel == "ewise" and node.op != "fused_ewise"
    except KeyError:
        return False


def _last2_transpose(node):
    if node.op != "transpose":
        return False
    axes = tuple(node.attrs.get("axes") or ())
    n = len(node.inputs[0].shape)
    return n >= 2 and axes == tuple(range(n - 2)) + (n - 1, n - 2)


def fuse(fn):
    if disabled():
        return fn
    from .conv_fusion import fuse_conv_bias_act, fuse_conv_pool_grad, fuse_pool_relu_grad

    fn = _fold_transposes(fn)
    fn = _pair_losses(fn)
    fn = _dense(fn)
    fn = fuse_conv_bias_act(fn)
    fn = fuse_pool_relu_grad(fn)
    fn = fuse_conv_pool_grad(fn)
    fn = _elide_broadcasts(fn)
    return _chains(fn)


def _fold_transposes(fn):
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    for node in fn.nodes:
        if node.op in ("placeholder",) and _is_input(fn, node):
            continue
        if node.op == "matmul" and all(len(i.shape) >= 2 for i in node.inputs):
            a, b = node.inputs
            ta = _last2_transpose(a.node)
            tb = _last2_transpose(b.node)
            if ta or tb:
                a2 = rb[a.node.inputs[0]] if ta else rb[a]
                b2 = rb[b.node.inputs[0]] if tb else rb[b]
                (out,) = rb.emit(
                    "matmul_t", [a2, b2], {"transpose_a": ta, "transpose_b": tb}, like=node
                )
                rb.alias(node.outputs[0], out)
                continue
        rb.copy(node)
    return _dce(rb.finish(fn))


def _ancestors(sym, stop):
    """Ids of the nodes `sym` depends on, or None if one of them is `stop`."""
    seen, stack = {}, [sym.node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        if n is stop:
            return None
        seen[id(n)] = n
        stack.extend(i.node for i in n.inputs)
    return seen


def _pair_losses(fn):
    """A loss's rows and its gradient, on the same predictions and targets, from one
    kernel pass. The pair runs where the rows were wanted, so the gradient's row weights
    (the backward seed: the sample weights over the batch size, not the rows themselves)
    are computed just before it; a seed that reads the rows keeps the two apart."""
    nodes = fn.nodes
    fwd, pairs = {}, {}
    for node in nodes:
        if node.op not in ("loss_rows", "loss_rows_grad"):
            continue
        key = (id(node.inputs[0]), id(node.inputs[1]), tuple(sorted(node.attrs.items())))
        if node.op == "loss_rows":
            fwd.setdefault(key, node)
            continue
        a = fwd.get(key)
        if a is None or id(a) in pairs:
            continue
        early = _ancestors(node.inputs[2], a)
        if early is not None:
            pairs[id(a)] = (node, early)
    if not pairs:
        return fn
    grads = {id(g) for g, _ in pairs.values()}
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    done = {id(n) for n in nodes if n.op == "placeholder" and _is_input(fn, n)}
    for node in nodes:
        if id(node) in done or id(node) in grads:
            continue
        if id(node) in pairs:
            g_node, early = pairs[id(node)]
            for n in nodes:  # the seed's producers, in order, ahead of the pair
                if id(n) in early and id(n) not in done:
                    rb.copy(n)
                    done.add(id(n))
            pred, target, g = g_node.inputs
            rows, dpred = rb.emit(
                "loss_rows_and_grad", [rb[pred], rb[target], rb[g]], node.attrs, like=None
            )
            rb.alias(node.outputs[0], rows)
            rb.alias(g_node.outputs[0], dpred)
            done.add(id(node))
            continue
        rb.copy(node)
        done.add(id(node))
    return rb.finish(fn)


def _elide_broadcasts(fn):
    """A broadcast that only elementwise ops read, each of which would broadcast the
    smaller value to the same result shape anyway, is dropped."""
    from ..prims._util import broadcast_shapes

    users = _consumers(fn)
    drop = set()
    for node in fn.nodes:
        if node.op not in ("broadcast_like", "broadcast_to"):
            continue
        src, out = node.inputs[0], node.outputs[0]
        us = users.get(id(out), [])
        ok = bool(us)
        for u in us:
            if u is None or not _is_ewise(u):
                ok = False
                break
            shapes = [tuple(src.shape) if i is out else tuple(i.shape) for i in u.inputs]
            try:
                ok = broadcast_shapes(*shapes) == tuple(u.outputs[0].shape)
            except ValueError:
                ok = False
            if not ok:
                break
        if ok:
            drop.add(id(node))
    if not drop:
        return fn
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    for node in fn.nodes:
        if node.op == "placeholder" and _is_input(fn, node):
            continue
        if id(node) in drop:
            rb.alias(node.outputs[0], rb[node.inputs[0]])
            continue
        rb.copy(node)
    return rb.finish(fn)


def _dense(fn):
    users = _consumers(fn)
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    skip = set()
    plan = {}  # id(node to replace) -> (x, w, b, act, out node)
    for node in fn.nodes:
        if node.op not in ("matmul", "matmul_t") or node.attrs.get("transpose_a"):
            continue
        x, w = node.inputs
        if len(w.shape) != 2 or len(x.shape) < 2 or node.attrs.get("transpose_b"):
            continue
        if x.dtype != "float32" or w.dtype != "float32":
            continue
        mm_users = users.get(id(node.outputs[0]), [])
        if len(mm_users) != 1 or mm_users[0] is None or mm_users[0].op != "add":
            continue
        add = mm_users[0]
        bias = add.inputs[1] if add.inputs[0] is node.outputs[0] else add.inputs[0]
        if tuple(bias.shape) != (w.shape[1],) or tuple(add.outputs[0].shape) != tuple(
            node.outputs[0].shape
        ):
            continue
        act, last = "linear", add
        add_users = users.get(id(add.outputs[0]), [])
        if (
            len(add_users) == 1
            and add_users[0] is not None
            and add_users[0].op in _ACTS
            and len(add_users[0].inputs) == 1
        ):
            act, last = _ACTS[add_users[0].op], add_users[0]
        elif (
            len(add_users) == 1
            and add_users[0] is not None
            and add_users[0].op == "softmax"
            and add_users[0].attrs.get("axis") in (-1, len(add.outputs[0].shape) - 1)
        ):
            act, last = "softmax", add_users[0]
        skip.update({id(node), id(add)} | ({id(last)} if last is not add else set()))
        plan[id(last)] = (x, w, bias, act)
    if not plan:
        return fn
    for node in fn.nodes:
        if node.op == "placeholder" and _is_input(fn, node):
            continue
        if id(node) in plan:
            x, w, b, act = plan[id(node)]
            (out,) = rb.emit(
                "dense_act", [rb[x], rb[w], rb[b]], {"act": act, "act_param": 0.0}, like=node
            )
            rb.alias(node.outputs[0], out)
            continue
        if id(node) in skip:
            continue
        rb.copy(node)
    return rb.finish(fn)


def _chains(fn):
    users = _consumers(fn)
    nodes = fn.nodes
    group_of = {}  # id(node) -> group root id
    members = {}  # root id -> [nodes]
    by_id = {id(n): n for n in nodes}
    for node in reversed(nodes):
        if not _is_ewise(node) or id(node) in group_of:
            continue
        root = id(node)
        group_of[root] = root
        members[root] = [node]
        frontier = [node]
        shape = tuple(node.outputs[0].shape)
        while frontier and len(members[root]) < _MAX_CHAIN:
            cur = frontier.pop()
            for inp in cur.inputs:
                p = inp.node
                if id(p) in group_of or not _is_ewise(p) or tuple(p.outputs[0].shape) != shape:
                    continue
                us = users.get(id(p.outputs[0]), [])
                if any(u is None or group_of.get(id(u)) != root for u in us):
                    continue
                group_of[id(p)] = root
                members[root].append(p)
                frontier.append(p)
    groups = {r: m for r, m in members.items() if len(m) > 1}
    if not groups:
        return fn
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    for node in nodes:
        if node.op == "placeholder" and _is_input(fn, node):
            continue
        gid = group_of.get(id(node))
        if gid is None or gid not in groups:
            rb.copy(node)
            continue
        if gid != id(node):
            continue  # emitted with its group's root
        _emit_group(rb, by_id[gid], groups[gid])
    return rb.finish(fn)


def _emit_group(rb, root, group):
    order = sorted(group, key=lambda n: n.id)
    inside = {id(o) for n in order for o in n.outputs}
    ext, ext_idx, imms, imm_idx = [], {}, [], {}
    for n in order:
        for i in n.inputs:
            if id(i) in inside or id(i) in ext_idx:
                continue
            if i.node.op == "constant" and np.asarray(i.node.attrs["value"]).size == 1:
                v = float(np.asarray(i.node.attrs["value"]).reshape(()))
                if v not in imm_idx:
                    imm_idx[v] = len(imms)
                    imms.append(v)
                ext_idx[id(i)] = ("imm", v)
                continue
            ext_idx[id(i)] = ("in", len(ext))
            ext.append(i)
    k = len(ext)
    reg = {}
    for key, (kind, v) in ext_idx.items():
        reg[key] = v if kind == "in" else k + imm_idx[v]
    program = []
    base = k + len(imms)
    for n in order:
        args = tuple(reg[id(i)] for i in n.inputs)
        program.append((n.op, tuple(sorted(n.attrs.items())), args))
        reg[id(n.outputs[0])] = base + len(program) - 1
    out = root.outputs[0]
    (new,) = rb.emit(
        "fused_ewise",
        [rb[s] for s in ext],
        {"program": tuple(program), "imms": tuple(imms), "dtype": out.dtype},
        like=root,
    )
    rb.alias(out, new)


def _inputs(rb, fn):
    for s in fn.inputs:
        (new,) = rb.graph.add("placeholder", [], {"name": s.name}, [(s.shape, s.dtype)])
        new.name = s.name
        rb.alias(s, new)


def _is_input(fn, node):
    return any(node.outputs[0] is s for s in fn.inputs)


def _dce(fn):
    return fn  # Rebuilder.finish + FnIR.nodes already keep only what is needed
