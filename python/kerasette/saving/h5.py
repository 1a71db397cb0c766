"""h5py, imported on first use only (``import kerasette`` must stay light), with an
install hint when it is missing (a dependency of kerasette, so only a broken install
lacks it)."""


def require_h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError(
            "Saving and loading Keras files needs h5py: kerasette depends on it; pip install h5py"
        ) from e
    return h5py
