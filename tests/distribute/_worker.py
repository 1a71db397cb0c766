"""Run by the tests as `mpiexec -n 2 python _worker.py OUTDIR`: each rank trains on its
shard with DistributedOptimizer + the callbacks and saves what it ended with."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _scenarios as sc  # noqa: E402

import kerasette as ks  # noqa: E402
import kerasette.distribute as kd  # noqa: E402


def main(outdir):
    kd.init()
    rank, size = kd.rank(), kd.size()
    out = {"size": np.array(size), "local_rank": np.array(kd.local_rank())}
    x, y = sc.data()
    xs, ys = kd.shard(x, y)
    batch = sc.GLOBAL_BATCH // size

    for name in sc.OPTIMIZERS:
        for path in ("chunked", "per_batch"):
            local = []  # the rank's own epoch logs, seen before MetricAverageCallback
            cbs = [
                ks.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: local.append(dict(logs))),
                kd.callbacks.BroadcastGlobalVariablesCallback(root_rank=0),
                kd.callbacks.MetricAverageCallback(),
            ]
            if path == "per_batch":  # forces the Python per-batch loop
                cbs.append(ks.callbacks.LambdaCallback(on_batch_end=lambda b, logs: None))
            m = sc.model(kd.DistributedOptimizer(sc.optimizer(name)), weights_seed=100 + rank)
            out[f"{name}/{path}/start"] = np.concatenate([w.ravel() for w in m.get_weights()])
            h = m.fit(
                xs, ys, batch_size=batch, epochs=sc.EPOCHS, shuffle=False, verbose=0, callbacks=cbs
            )
            out[f"{name}/{path}/weights"] = np.concatenate([w.ravel() for w in m.get_weights()])
            out[f"{name}/{path}/iterations"] = np.array(m.optimizer.iterations)
            for key in ("loss", "accuracy"):
                out[f"{name}/{path}/avg_{key}"] = np.array(h.history[key])
                out[f"{name}/{path}/local_{key}"] = np.array([lg[key] for lg in local])

    # Optimizer state broadcast: each rank presets its own Adam state before fit.
    m = sc.model(kd.DistributedOptimizer(sc.optimizer("adam")), weights_seed=100 + rank)
    sc.preset_adam_state(m, seed=rank)
    m.fit(
        xs,
        ys,
        batch_size=batch,
        epochs=sc.EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[kd.callbacks.BroadcastGlobalVariablesCallback(0)],
    )
    out["preset/weights"] = np.concatenate([w.ravel() for w in m.get_weights()])
    out["preset/iterations"] = np.array(m.optimizer.iterations)

    # Learning-rate warmup over 2 epochs (the rate seen by each batch is recorded).
    lrs = []
    m = sc.model(kd.DistributedOptimizer(ks.optimizers.SGD(0.2)), weights_seed=100 + rank)
    m.fit(
        xs,
        ys,
        batch_size=batch,
        epochs=sc.EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[
            kd.callbacks.BroadcastGlobalVariablesCallback(0),
            kd.callbacks.LearningRateWarmupCallback(0.2, warmup_epochs=2),
            ks.callbacks.LambdaCallback(
                on_train_batch_begin=lambda b, logs: lrs.append(m.optimizer.current_learning_rate())
            ),
        ],
    )
    out["warmup/lrs"] = np.array(lrs)
    out["warmup/final_lr"] = np.array(m.optimizer.current_learning_rate())

    # Control: a plain optimizer (no gradient averaging) lets the ranks drift apart.
    m = sc.model(sc.optimizer("sgd"), weights_seed=100 + rank)
    m.fit(
        xs,
        ys,
        batch_size=batch,
        epochs=sc.EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[kd.callbacks.BroadcastGlobalVariablesCallback(0)],
    )
    out["plain/weights"] = np.concatenate([w.ravel() for w in m.get_weights()])

    # Collectives.
    out["allreduce_avg"] = kd.allreduce(np.array([rank + 1.0, 10.0 * rank]))
    out["allreduce_sum"] = kd.allreduce(np.array([rank + 1, 2]), op=kd.Sum)
    out["broadcast"] = kd.broadcast(np.full(3, rank + 5, np.float32), root_rank=size - 1)
    out["allgather"] = kd.allgather(np.full((rank + 1, 2), rank, np.int32))
    np.savez(os.path.join(outdir, f"rank{rank}.npz"), **out)


if __name__ == "__main__":
    main(sys.argv[1])
