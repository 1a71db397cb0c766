"""The memory plan: every workspace buffer of a tape gets an offset in one arena,
reusing space by liveness (a buffer's bytes are free after its last reader), and an
elementwise instruction writes in place over an input that dies there.

Like ggml-alloc: one linear walk over the tape in execution order, first-fit into the
gaps between live buffers.
"""

ALIGN = 16  # floats: 64-byte aligned buffers for the vector kernels


def _roots(vals):
    seen, out = set(), []
    for v in vals:
        if v is None:
            continue
        r = v.root()
        if r.ext is None and id(r) not in seen:
            seen.add(id(r))
            out.append(r)
    return out


def _liveness(instrs, feeds, outputs):
    for v in feeds:
        r = v.root()
        r.first, r.last = -1, -1
    for i, ins in enumerate(instrs):
        for v in ins.ins + ins.outs:
            if v is None:
                continue
            r = v.root()
            if r.ext is not None:
                continue
            if r.first is None:
                r.first = i
            r.last = i
    end = len(instrs)
    for v in outputs:
        r = v.root()
        if r.ext is None:
            if r.first is None:
                r.first = -1
            r.last = end


def _in_place(instrs, shapes, protected):
    """Elementwise outputs take over an input buffer that dies at that instruction."""
    for i, ins in enumerate(instrs):
        if not ins.inplace_ok:
            continue
        for out in ins.outs:
            if out is None or out.ext is not None or out.base is not None or id(out) in protected:
                continue
            for v in ins.ins:
                if v is None:
                    continue
                r = v.root()
                if (
                    r.ext is None
                    and r.last == i
                    and r.size == out.size
                    and id(r) not in protected
                    and shapes.get(id(v)) == shapes.get(id(out))
                    and r is not out
                ):
                    out.base = r
                    r.last = max(r.last, out.last if out.last is not None else i)
                    break


def plan(instrs, feeds, outputs, shapes=None, in_place=True, exclusive_feeds=False):
    """Sets `offset` on every workspace root; returns the workspace size in floats.

    exclusive_feeds: no other buffer reuses the feeds' bytes (they live to the end), so
    the C++ predict loop may point the tape at the caller's rows instead of a copy."""
    for ins in instrs:
        for v in ins.ins + ins.outs:
            if v is not None:
                v.first = v.last = None
    for v in list(feeds) + list(outputs):
        v.first = v.last = None
    _liveness(instrs, feeds, outputs)
    if exclusive_feeds:
        for v in feeds:
            v.root().last = len(instrs)
    if in_place and shapes is not None:
        protected = {id(v.root()) for v in list(feeds) + list(outputs)}
        _in_place(instrs, shapes, protected)
    roots = _roots([v for ins in instrs for v in ins.ins + ins.outs] + list(feeds) + list(outputs))
    roots.sort(key=lambda r: (r.first, -r.size))
    live = []  # (offset, end, root) sorted by offset
    top = 0
    for r in roots:
        live = [a for a in live if a[2].last >= r.first]
        need = -(-max(r.size, 1) // ALIGN) * ALIGN
        at, prev_end = None, 0
        for off, end, _ in sorted(live, key=lambda a: a[0]):
            if off - prev_end >= need:
                at = prev_end
                break
            prev_end = max(prev_end, end)
        if at is None:
            at = prev_end
        r.offset = at
        live.append((at, at + need, r))
        top = max(top, at + need)
    return top
