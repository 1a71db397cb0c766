"""Contractions the fusion pass makes: a matmul that reads an operand transposed
(`matmul_t`: no transpose copy, the GEMM packs it), and a Dense forward
`dense_act` = act(x @ w + bias) on the GEMM's epilogue (one pass over the output)."""

import numpy as np

from ..prims._util import result_dtype
from ..registry import register


def _t(x, flag):
    return np.swapaxes(x, -1, -2) if flag and x.ndim >= 2 else x


def _mt_infer(a, b, transpose_a=False, transpose_b=False):
    sa, sb = list(a.shape), list(b.shape)
    if transpose_a:
        sa[-2], sa[-1] = sa[-1], sa[-2]
    if transpose_b:
        sb[-2], sb[-1] = sb[-1], sb[-2]
    batch = (
        tuple(np.broadcast_shapes(tuple(sa[:-2]), tuple(sb[:-2])))
        if (len(sa) > 2 or len(sb) > 2)
        else ()
    )
    return batch + (sa[-2], sb[-1]), result_dtype(a.dtype, b.dtype)


register(
    "matmul_t",
    infer=_mt_infer,
    eval=lambda a, b, transpose_a=False, transpose_b=False: np.matmul(
        _t(a, transpose_a), _t(b, transpose_b)
    ).astype(np.float32),
    kernel="matmul",
)


def _act_np(z, act, param):
    from ...backend import core

    y = core.act_forward(np.ascontiguousarray(z.reshape(-1, z.shape[-1]), np.float32), act, param)
    return np.asarray(y).reshape(z.shape)


def _dense_eval(x, w, b, act="linear", act_param=0.0):
    z = np.matmul(x, w).astype(np.float32) + b
    return z if act == "linear" else _act_np(z, act, act_param)


register(
    "dense_act",
    infer=lambda x, w, b, act="linear", act_param=0.0: (
        tuple(x.shape[:-1]) + (w.shape[-1],),
        "float32",
    ),
    eval=_dense_eval,
    kernel="gemm_bias_act",
)


def _lower_dense(ctx, node):
    from ...backend import core

    x, w, b = node.inputs
    K = x.shape[-1]
    N = w.shape[-1]
    M = int(np.prod(x.shape[:-1]))
    ctx.emit(
        "gemm_bias_act",
        [ctx.val(x), ctx.val(w), ctx.val(b)],
        [ctx.out(node.outputs[0])],
        [M, N, K, core.ACTIVATIONS[node.attrs.get("act", "linear")]],
        [node.attrs.get("act_param", 0.0)],
    )


def _install_rules():
    from .. import lower_rules

    lower_rules.RULES["matmul_t"] = lower_rules.RULES["matmul"]
    lower_rules.RULES["dense_act"] = _lower_dense


_install_rules()
