"""`model.summary()`: Keras 3's table, drawn without `rich`.

Sequential and subclassed models, and functional models whose graph is a chain, get
three columns; other functional models a fourth, "Connected to" (each input of each call
as `layer[node][tensor]`), and list their ops between layers too.

Keras renders a rich.Table (heavy head box, one rule between rows) of width
min(88, terminal columns - 4), columns at [0.45, 0.80, 1.0] of it. Rich gives each
column its fixed width plus 2 of padding, then, the sum exceeding the room inside the
borders, takes the excess back evenly (`ratio_reduce` with equal ratios, Python's
round). That is reproduced here so the plain-text output is byte for byte Keras's.
"""

import math
import shutil

import numpy as np


def count_params(weights):
    return int(sum(math.prod(w.shape) for w in weights))


def weight_memory_size(weights):
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in unique)


def readable_memory_size(size):
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def _column_widths(line_length, positions):
    fixed, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        fixed.append(width)
        current += width
    widths = [w + 2 for w in fixed]  # cell padding (0, 1)
    room = line_length - (len(widths) + 1)  # minus the vertical borders
    excess = sum(widths) - room
    if excess > 0:
        out, remaining, ratio_left = [], excess, len(widths)
        for w in widths:
            taken = min(w, round(remaining / ratio_left))
            out.append(w - taken)
            remaining -= taken
            ratio_left -= 1
        widths = out
    return widths


def _wrap(text, width):
    """Rich's cell rendering: wrap at spaces; a word wider than the cell keeps a line of
    its own, cut with an ellipsis (the column's default overflow)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word if len(word) <= width else word[: width - 1] + "…"
    lines.append(line)
    return lines


def _row(cells, widths, justify, vbar, bottom=False):
    wrapped = [_wrap(c, w - 2) for c, w in zip(cells, widths)]
    height = max(len(c) for c in wrapped)
    if bottom:  # rich aligns header cells to the bottom of the row
        wrapped = [[""] * (height - len(c)) + c for c in wrapped]
    out = []
    for i in range(height):
        parts = []
        for lines, w, j in zip(wrapped, widths, justify):
            text = lines[i] if i < len(lines) else ""
            room = w - 2
            if j == "right":
                text = text.rjust(room)
            elif j == "center":  # rich puts the odd space on the right
                left = (room - len(text)) // 2
                text = " " * left + text + " " * (room - len(text) - left)
            else:
                text = text.ljust(room)
            parts.append(" " + text + " ")
        out.append(vbar + vbar.join(parts) + vbar)
    return out


def _rule(widths, left, fill, mid, right):
    return left + mid.join(fill * w for w in widths) + right


def format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def layer_output_shape(layer):
    shape = getattr(layer, "_build_input_shape", None)
    if not layer.built or shape is None:
        return "?"
    try:
        return format_shape(layer.compute_output_shape(shape))
    except NotImplementedError:
        return "?"


def _is_functional(model):
    return hasattr(model, "_calls_by_depth")


def _sequential_like(model):
    """Keras's test: one call per depth, each with one input, and no layer called twice."""
    if not _is_functional(model):
        return True
    for calls in model._calls_by_depth.values():
        if len(calls) > 1 or (len(calls) == 1 and len(calls[0].inputs) > 1):
            return False
    return all(len(model.calls_of(op)) <= 1 for op in model.operations)


def _shape_text(shapes):
    texts = [format_shape(s) for s in shapes]
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"


def _functional_cells(model, op, connections):
    calls = model.calls_of(op)
    shape = _shape_text([o.shape for o in calls[-1].outputs]) if calls else "?"
    if not hasattr(op, "built"):  # an op between layers
        params = "0"
    else:
        params = f"{op.count_params():,}" if op.built else "0 (unbuilt)"
    cells = [
        f"{op.name} ({type(op).__name__ if hasattr(op, 'built') else op.keras_class})",
        shape,
        params,
    ]
    if connections:
        links = []
        for call in calls:
            for x in call.inputs:
                parent, index = model.tensor_history(x)
                node = model.call_index(parent.operation, parent)
                links.append(f"{parent.operation.name}[{node}][{index}]")
        cells.append(", ".join(links) or "-")
    return cells


def _layer_cells(layer):
    params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
    return [f"{layer.name} ({type(layer).__name__})", layer_output_shape(layer), params]


def summary_text(model, line_length=None, positions=None, show_trainable=False):
    """The summary as one string, lines joined with newlines (ends with a newline)."""
    chain = _sequential_like(model)
    if chain:
        default_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    if show_trainable:  # Keras widens the table by 12 and scales the positions by 0.9
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(line_length, positions)
    lines = [f'Model: "{model.name}"', _rule(widths, "┏", "━", "┳", "┓")]
    lines += _row(header, widths, justify, "┃", bottom=True)
    lines.append(_rule(widths, "┡", "━", "╇", "┩"))
    rows = model.operations if _is_functional(model) else model.layers
    for i, layer in enumerate(rows):
        if i:
            lines.append(_rule(widths, "├", "─", "┼", "┤"))
        if _is_functional(model):
            cells = _functional_cells(model, layer, not chain)
        else:
            cells = _layer_cells(layer)
        if show_trainable:
            weights = getattr(layer, "weights", None)
            cells.append(("Y" if layer.trainable else "N") if weights else "-")
        lines += _row(cells, widths, justify, "│")
    lines.append(_rule(widths, "└", "─", "┴", "┘"))

    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    opt_vars = (
        list(optimizer.variables)
        if optimizer is not None and getattr(optimizer, "built", False)
        else None
    )
    totals = [("Trainable params", trainable), ("Non-trainable params", non_trainable)]
    if opt_vars is not None:
        totals.append(("Optimizer params", opt_vars))
    total_count = sum(count_params(w) for _, w in totals)
    total_size = sum(weight_memory_size(w) for _, w in totals)
    lines.append(f" Total params: {total_count:,} ({readable_memory_size(total_size)})")
    for label, weights in totals:
        lines.append(
            f" {label}: {count_params(weights):,} "
            f"({readable_memory_size(weight_memory_size(weights))})"
        )
    return "\n".join(lines) + "\n"


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    text = summary_text(model, line_length, positions, show_trainable)
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)
