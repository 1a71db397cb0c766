"""Keras 3's positional form of `add_weight(shape, initializer, dtype)`."""


def positional_weight_args(args, shape, initializer, dtype):
    if not args:
        return shape, initializer, dtype
    if len(args) > 3:
        raise TypeError(
            f"add_weight() takes at most 3 positional arguments but {len(args)} were given."
        )
    if isinstance(args[0], str):
        raise ValueError(
            f"`name` must be passed as a keyword argument. Received: "
            f"add_weight('{args[0]}', ...). Use: add_weight(shape=..., "
            f"name='{args[0]}')."
        )
    given = {"shape": shape, "initializer": initializer, "dtype": dtype}
    for key, value in zip(("shape", "initializer", "dtype"), args):
        if given[key] is not None:
            raise ValueError(f"`{key}` was passed both positionally and as a keyword argument.")
        given[key] = value
    return given["shape"], given["initializer"], given["dtype"]
