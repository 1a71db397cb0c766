"""Recurrent cells over a whole sequence, each one primitive with its BPTT grad primitive,
lowered onto the C++ `lstm_seq` / `gru_seq` / `rnn_seq` kernels (csrc/kernels/cpu/
recurrent.cc: per time step one GEMM h_{t-1} @ U plus one elementwise pass for the gates).

The input projection x @ W + b of every step is one ordinary matmul outside; these ops
take it as `xp` (B, T, G*u). States are (B, u); `mask` (B, T), when the attr `masked` is
set, skips steps (the states carry over, as Keras's masked RNN). Outputs:

    lstm_seq(xp, h0, c0, U[, mask])          -> H (B,T,u), C (B,T,u), G (B,T,4u)
    gru_seq(xp, h0, U[, rb][, mask]; reset_after) -> H (B,T,u), G (B,T,4u)
    rnn_seq(xp, h0, U[, mask]; act)          -> H (B,T,u)

H and C are the states after each step; G holds what the backward pass needs (LSTM: the
activated gates i,f,c,o; GRU: z, r, hh and r_h = h@U_h + b_h (reset_after) or r*h_{t-1}).
`rb` (3u), the recurrent bias, is an input exactly when reset_after. Activations are
LSTM/GRU tanh + sigmoid, SimpleRNN `act` in tanh/relu/linear; the layers run other
activations as an unrolled ops graph. The numpy evals below are the reference: plain
Python loops over time.
"""

import numpy as np

from ..registry import register

_RNN_ACTS = {"tanh": 0, "relu": 1, "linear": 2}


def _f32(a):
    return np.asarray(a, dtype=np.float32)


def _sig(x):
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def _step_mask(mask, B, T):
    if mask is None:
        return np.ones((B, T, 1), np.float32)
    return (np.asarray(mask).reshape(B, T) != 0).astype(np.float32)[:, :, None]


def _split_mask(inputs, n, masked):
    inputs = list(inputs)
    mask = inputs.pop() if masked else None
    return inputs[:n], inputs[n:], mask


# ---- LSTM ------------------------------------------------------------------------------
def _lstm_infer(xp, h0, c0, U, *mask, masked=False):
    B, T = xp.shape[0], xp.shape[1]
    u = U.shape[0]
    return [((B, T, u), "float32"), ((B, T, u), "float32"), ((B, T, 4 * u), "float32")]


def _lstm_eval(xp, h0, c0, U, *mask, masked=False):
    xp, h, c, U = _f32(xp), _f32(h0), _f32(c0), _f32(U)
    B, T, _ = xp.shape
    u = U.shape[0]
    m = _step_mask(mask[0] if masked else None, B, T)
    H = np.zeros((B, T, u), np.float32)
    C = np.zeros((B, T, u), np.float32)
    G = np.zeros((B, T, 4 * u), np.float32)
    for t in range(T):
        z = xp[:, t] + h @ U
        i, f, g, o = (
            _sig(z[:, :u]),
            _sig(z[:, u : 2 * u]),
            np.tanh(z[:, 2 * u : 3 * u]),
            _sig(z[:, 3 * u :]),
        )
        cn = f * c + i * g
        hn = o * np.tanh(cn)
        c = m[:, t] * cn + (1 - m[:, t]) * c
        h = m[:, t] * hn + (1 - m[:, t]) * h
        H[:, t], C[:, t] = h, c
        G[:, t] = np.concatenate([i, f, g, o], axis=1)
    return H, C, G


def _lstm_grad_eval(h0, c0, U, *rest, masked=False):
    mask = rest[0] if masked else None
    H, C, G, dH, dC = (_f32(a) for a in rest[-5:])
    h0, c0, U = _f32(h0), _f32(c0), _f32(U)
    B, T, u = H.shape
    m = _step_mask(mask, B, T)
    dxp = np.zeros((B, T, 4 * u), np.float32)
    dU = np.zeros_like(U)
    dh = np.zeros((B, u), np.float32)
    dc = np.zeros((B, u), np.float32)
    for t in reversed(range(T)):
        hp = h0 if t == 0 else H[:, t - 1]
        cp = c0 if t == 0 else C[:, t - 1]
        dht, dct = dH[:, t] + dh, dC[:, t] + dc
        i, f, g, o = (G[:, t, k * u : (k + 1) * u] for k in range(4))
        tc = np.tanh(C[:, t])
        dcc = dct + dht * o * (1 - tc * tc)
        dz = (
            np.concatenate(
                [
                    dcc * g * i * (1 - i),
                    dcc * cp * f * (1 - f),
                    dcc * i * (1 - g * g),
                    dht * tc * o * (1 - o),
                ],
                axis=1,
            )
            * m[:, t]
        )
        dxp[:, t] = dz
        dU += hp.T @ dz
        dh = m[:, t] * (dz @ U.T) + (1 - m[:, t]) * dht
        dc = m[:, t] * (dcc * f) + (1 - m[:, t]) * dct
    return dxp, dh, dc, dU


def _zeros_if_none(g, like):
    from ... import ops

    return ops.zeros_like(like) if g is None else g


def _lstm_grad(node, gH, gC, gG):
    from ..trace import apply

    if gG is not None:
        raise NotImplementedError("lstm_seq: its saved-gates output is not differentiable")
    masked = node.attrs.get("masked", False)
    xp, h0, c0, U = node.inputs[:4]
    H, C, G = node.outputs
    ins = (
        [h0, c0, U]
        + ([node.inputs[4]] if masked else [])
        + [H, C, G, _zeros_if_none(gH, H), _zeros_if_none(gC, C)]
    )
    dxp, dh0, dc0, dU = apply("lstm_seq_grad", ins, masked=masked)
    return [dxp, dh0, dc0, dU] + ([None] if masked else [])


def _lstm_grad_infer(h0, c0, U, *rest, masked=False):
    H = rest[-5]
    B, T, u = H.shape
    return [
        ((B, T, 4 * u), "float32"),
        ((B, u), "float32"),
        ((B, u), "float32"),
        (tuple(U.shape), "float32"),
    ]


register(
    "lstm_seq", infer=_lstm_infer, eval=_lstm_eval, grad=_lstm_grad, kernel="recurrent", n_out=3
)
register("lstm_seq_grad", infer=_lstm_grad_infer, eval=_lstm_grad_eval, kernel="recurrent", n_out=4)


# ---- GRU -------------------------------------------------------------------------------
def _gru_infer(xp, h0, U, *rest, reset_after=True, masked=False):
    B, T = xp.shape[0], xp.shape[1]
    u = U.shape[0]
    return [((B, T, u), "float32"), ((B, T, 4 * u), "float32")]


def _gru_eval(xp, h0, U, *rest, reset_after=True, masked=False):
    xp, h, U = _f32(xp), _f32(h0), _f32(U)
    B, T, _ = xp.shape
    u = U.shape[0]
    rb = _f32(rest[0]) if reset_after else None
    m = _step_mask(rest[-1] if masked else None, B, T)
    H = np.zeros((B, T, u), np.float32)
    G = np.zeros((B, T, 4 * u), np.float32)
    for t in range(T):
        x = xp[:, t]
        if reset_after:
            rec = h @ U + rb
            z = _sig(x[:, :u] + rec[:, :u])
            r = _sig(x[:, u : 2 * u] + rec[:, u : 2 * u])
            extra = rec[:, 2 * u :]
            hh = np.tanh(x[:, 2 * u :] + r * extra)
        else:
            rec = h @ U[:, : 2 * u]
            z = _sig(x[:, :u] + rec[:, :u])
            r = _sig(x[:, u : 2 * u] + rec[:, u:])
            extra = r * h
            hh = np.tanh(x[:, 2 * u :] + extra @ U[:, 2 * u :])
        hn = z * h + (1 - z) * hh
        h = m[:, t] * hn + (1 - m[:, t]) * h
        H[:, t] = h
        G[:, t] = np.concatenate([z, r, hh, extra], axis=1)
    return H, G


def _gru_grad_eval(h0, U, *rest, reset_after=True, masked=False):
    mask = rest[0] if masked else None
    H, G, dH = (_f32(a) for a in rest[-3:])
    h0, U = _f32(h0), _f32(U)
    B, T, u = H.shape
    m = _step_mask(mask, B, T)
    dxp = np.zeros((B, T, 3 * u), np.float32)
    dU = np.zeros_like(U)
    drb = np.zeros((3 * u,), np.float32)
    dh = np.zeros((B, u), np.float32)
    for t in reversed(range(T)):
        hp = h0 if t == 0 else H[:, t - 1]
        dht = dH[:, t] + dh
        z, r, hh, extra = (G[:, t, k * u : (k + 1) * u] for k in range(4))
        mt = m[:, t]
        dzp = dht * (hp - hh) * z * (1 - z) * mt
        dhhp = dht * (1 - z) * (1 - hh * hh) * mt
        if reset_after:
            drp = dhhp * extra * r * (1 - r)
            drec = np.concatenate([dzp, drp, dhhp * r], axis=1)
            dxp[:, t] = np.concatenate([dzp, drp, dhhp], axis=1)
            dU += hp.T @ drec
            drb += drec.sum(axis=0)
            dh = mt * (dht * z + drec @ U.T) + (1 - mt) * dht
        else:
            drhp = dhhp @ U[:, 2 * u :].T
            drp = drhp * hp * r * (1 - r)
            dzr = np.concatenate([dzp, drp], axis=1)
            dxp[:, t] = np.concatenate([dzp, drp, dhhp], axis=1)
            dU[:, : 2 * u] += hp.T @ dzr
            dU[:, 2 * u :] += extra.T @ dhhp
            dh = mt * (dht * z + drhp * r + dzr @ U[:, : 2 * u].T) + (1 - mt) * dht
    return (dxp, dh, dU, drb) if reset_after else (dxp, dh, dU)


def _gru_grad(node, gH, gG):
    from ..trace import apply

    if gG is not None:
        raise NotImplementedError("gru_seq: its saved-gates output is not differentiable")
    a = node.attrs
    ra, masked = a.get("reset_after", True), a.get("masked", False)
    xp, h0, U = node.inputs[:3]
    H, G = node.outputs
    ins = [h0, U] + ([node.inputs[-1]] if masked else []) + [H, G, _zeros_if_none(gH, H)]
    outs = apply("gru_seq_grad", ins, reset_after=ra, masked=masked)
    return list(outs) + ([None] if masked else [])


def _gru_grad_infer(h0, U, *rest, reset_after=True, masked=False):
    H = rest[-3]
    B, T, u = H.shape
    out = [((B, T, 3 * u), "float32"), ((B, u), "float32"), (tuple(U.shape), "float32")]
    return out + ([((3 * u,), "float32")] if reset_after else [])


register("gru_seq", infer=_gru_infer, eval=_gru_eval, grad=_gru_grad, kernel="recurrent", n_out=2)
# n_out is the most outputs (reset_after adds drb); apply returns what infer lists.
register("gru_seq_grad", infer=_gru_grad_infer, eval=_gru_grad_eval, kernel="recurrent", n_out=4)


# ---- SimpleRNN -------------------------------------------------------------------------
def _act_np(name, v):
    return np.tanh(v) if name == "tanh" else np.maximum(v, 0) if name == "relu" else v


def _act_dy(name, y):
    return (
        1 - y * y
        if name == "tanh"
        else (y > 0).astype(np.float32)
        if name == "relu"
        else np.ones_like(y)
    )


def _rnn_infer(xp, h0, U, *mask, act="tanh", masked=False):
    return (xp.shape[0], xp.shape[1], U.shape[0]), "float32"


def _rnn_eval(xp, h0, U, *mask, act="tanh", masked=False):
    xp, h, U = _f32(xp), _f32(h0), _f32(U)
    B, T, u = xp.shape
    m = _step_mask(mask[0] if masked else None, B, T)
    H = np.zeros((B, T, u), np.float32)
    for t in range(T):
        hn = _act_np(act, xp[:, t] + h @ U).astype(np.float32)
        h = m[:, t] * hn + (1 - m[:, t]) * h
        H[:, t] = h
    return H


def _rnn_grad_eval(h0, U, *rest, act="tanh", masked=False):
    mask = rest[0] if masked else None
    H, dH = _f32(rest[-2]), _f32(rest[-1])
    h0, U = _f32(h0), _f32(U)
    B, T, u = H.shape
    m = _step_mask(mask, B, T)
    dxp = np.zeros_like(H)
    dU = np.zeros_like(U)
    dh = np.zeros((B, u), np.float32)
    for t in reversed(range(T)):
        hp = h0 if t == 0 else H[:, t - 1]
        dht = dH[:, t] + dh
        dz = dht * _act_dy(act, H[:, t]) * m[:, t]
        dxp[:, t] = dz
        dU += hp.T @ dz
        dh = m[:, t] * (dz @ U.T) + (1 - m[:, t]) * dht
    return dxp, dh, dU


def _rnn_grad(node, gH):
    from ..trace import apply

    a = node.attrs
    masked = a.get("masked", False)
    xp, h0, U = node.inputs[:3]
    H = node.outputs[0]
    ins = [h0, U] + ([node.inputs[3]] if masked else []) + [H, gH]
    dxp, dh0, dU = apply("rnn_seq_grad", ins, act=a.get("act", "tanh"), masked=masked)
    return [dxp, dh0, dU] + ([None] if masked else [])


def _rnn_grad_infer(h0, U, *rest, act="tanh", masked=False):
    H = rest[-2]
    B, T, u = H.shape
    return [((B, T, u), "float32"), ((B, u), "float32"), (tuple(U.shape), "float32")]


register("rnn_seq", infer=_rnn_infer, eval=_rnn_eval, grad=_rnn_grad, kernel="recurrent")
register("rnn_seq_grad", infer=_rnn_grad_infer, eval=_rnn_grad_eval, kernel="recurrent", n_out=3)


# ---- lowering (layouts: csrc/runtime/program.h) -----------------------------------------
def _need_f32(node):
    from ..lower import NotLowerable

    for s in list(node.inputs) + list(node.outputs):
        if str(s.dtype) == "bool" and node.attrs.get("masked", False):
            continue  # the mask: a program holds bools as float 0/1
        if str(s.dtype) != "float32":
            raise NotLowerable(f"{node.op} on {s.dtype}: the kernel is float32")


def _lower(ctx, node):
    _need_f32(node)
    a = node.attrs
    masked = a.get("masked", False)
    mask_at = {
        "lstm_seq": 4,
        "gru_seq": len(node.inputs) - 1,
        "rnn_seq": 3,
        "lstm_seq_grad": 3,
        "gru_seq_grad": 2,
        "rnn_seq_grad": 2,
    }[node.op]
    mask = ctx.val(node.inputs[mask_at]) if masked else None
    vals = [ctx.val(s) for s in node.inputs]
    outs = [ctx.out(s) for s in node.outputs]
    op = node.op
    if op in ("lstm_seq", "gru_seq", "rnn_seq"):
        B, T = node.inputs[0].shape[:2]
    else:
        B, T = node.inputs[
            -2 if op == "rnn_seq_grad" else -3 if op == "gru_seq_grad" else -5
        ].shape[:2]
    U = (
        node.inputs[3]
        if op == "lstm_seq"
        else node.inputs[2]
        if op in ("gru_seq", "rnn_seq", "lstm_seq_grad")
        else node.inputs[1]
    )
    u = U.shape[0]
    ints = [B, T, u]
    if op == "lstm_seq":
        # G may take over xp's buffer (same shape; each step reads its x before writing
        # its gates there), which halves the memory the forward streams through.
        ctx.emit(op, vals[:4] + [mask], outs, ints, inplace_ok=True)
    elif op == "lstm_seq_grad":
        n = len(vals)
        ctx.emit(
            op,
            vals[:3] + [mask] + vals[n - 5 :],
            outs + [ctx.new(2 * B * u + 4 * u * u, "rnn_scratch")],
            ints,
            inplace_ok=True,  # dxp over G: each step reads its gates before writing there
        )
    elif op == "gru_seq":
        ra = bool(a.get("reset_after", True))
        rb = vals[3] if ra else None
        ctx.emit(
            op,
            vals[:3] + [rb, mask],
            outs + [ctx.new(max(1, 4 * B * u), "rnn_scratch")],
            ints + [int(ra)],
        )
    elif op == "gru_seq_grad":
        ra = bool(a.get("reset_after", True))
        n = len(vals)
        drb = outs[3] if ra else None
        ctx.emit(
            op,
            vals[:2] + [mask] + vals[n - 3 :],
            outs[:3] + [drb, ctx.new(max(1, 6 * B * u), "rnn_scratch")],
            ints + [int(ra)],
        )
    elif op == "rnn_seq":
        ctx.emit(op, vals[:3] + [mask], outs, ints + [_RNN_ACTS[a.get("act", "tanh")]])
    else:
        n = len(vals)
        ctx.emit(
            op,
            vals[:2] + [mask] + vals[n - 2 :],
            outs + [ctx.new(max(1, B * u), "rnn_scratch")],
            ints + [_RNN_ACTS[a.get("act", "tanh")]],
        )


def _install_rules():
    from .. import lower_rules

    for name in ("lstm_seq", "lstm_seq_grad", "gru_seq", "gru_seq_grad", "rnn_seq", "rnn_seq_grad"):
        lower_rules.RULES[name] = _lower


_install_rules()
