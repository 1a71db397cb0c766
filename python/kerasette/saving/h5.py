"""h5py, imported on first use only (``import kerasette`` must stay light), with an
install hint when it is missing: it is the ``save`` extra."""


def require_h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Saving and loading Keras files needs h5py: "
                          "pip install 'kerasette[save]' (or pip install h5py)") from e
    return h5py
