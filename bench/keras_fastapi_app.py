"""The baseline for bench/serve.py: the minimal FastAPI + Keras app people write.

Serves TF Serving's row-format predict URL for a .keras file with real Keras 3 on
TensorFlow, on the same uvicorn stack (uvloop + httptools when installed) as
`kerasette serve`. The endpoint is a plain `def`, so FastAPI runs it in its thread pool,
and it calls `predict_on_batch`, Keras's low-overhead call for one batch (`predict`
would add its per-call data-adapter setup, tens of ms, to every request).

    python bench/keras_fastapi_app.py MODEL.keras --port 8601 [--name mlp]
"""

import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def build_app(model_path):
    import keras
    import numpy as np
    from fastapi import FastAPI

    model = keras.models.load_model(model_path)
    model.predict_on_batch(np.zeros((1,) + tuple(model.input_shape[1:]), np.float32))
    app = FastAPI()

    @app.post("/v1/models/{name}:predict")
    def predict(name: str, body: dict):
        x = np.asarray(body["instances"], dtype=np.float32)
        return {"predictions": np.asarray(model.predict_on_batch(x)).tolist()}

    @app.get("/v1/models/{name}")
    def status(name: str):
        return {"model_version_status": [{"version": "1", "state": "AVAILABLE"}]}

    return app


def main():
    p = argparse.ArgumentParser(description="minimal FastAPI + Keras predict server")
    p.add_argument("model_path")
    p.add_argument("--port", type=int, default=8601)
    args = p.parse_args()
    import uvicorn

    uvicorn.run(
        build_app(args.model_path),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
