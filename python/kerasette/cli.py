"""The ``kerasette`` console script.

    kerasette --version
    kerasette serve PATH [--name NAME] [--port 8501] [--host 127.0.0.1]
                         [--enable-batching | --no-batching] [--max-batch-size 64]
                         [--batch-timeout-micros 0] [--file-system-poll-wait-seconds 1]
                         [--max-body-bytes 33554432] [--num-threads 1]

Flag names follow ``tensorflow_model_server`` where it has one.
"""

import argparse
import sys


def _serve_parser(sub):
    p = sub.add_parser(
        "serve",
        help="serve a saved model over TensorFlow Serving's REST API",
        description="Serve a .keras file, or a base folder of numbered versions "
        "(PATH/1/model.keras, PATH/2/model.keras, ...; the highest is served "
        "and new ones are picked up), over TensorFlow Serving's REST API.",
    )
    p.add_argument("path", metavar="PATH", help="a .keras file or a base folder of versions")
    p.add_argument("--name", help="model name in the URLs (default: the file or folder name)")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)"
    )
    p.add_argument("--port", type=int, default=8501, help="port (default 8501, as TF Serving)")
    batching = p.add_mutually_exclusive_group()
    batching.add_argument(
        "--enable-batching",
        dest="batching",
        action="store_true",
        default=True,
        help="merge concurrent requests (default)",
    )
    batching.add_argument(
        "--no-batching", dest="batching", action="store_false", help="one forward call per request"
    )
    p.add_argument(
        "--max-batch-size", type=int, default=64, help="most rows in one forward call (default 64)"
    )
    p.add_argument(
        "--batch-timeout-micros",
        type=int,
        default=0,
        help="how long a batch that is not full waits for more requests "
        "(default 0: take what is queued, add no latency)",
    )
    p.add_argument(
        "--file-system-poll-wait-seconds",
        type=float,
        default=1.0,
        help="how often PATH is scanned for new versions; 0 disables (default 1)",
    )
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=32 * 1024 * 1024,
        help="larger request bodies get 413 (default 32 MiB)",
    )
    p.add_argument(
        "--num-threads",
        type=int,
        default=1,
        help="threads for the core's kernels (default 1: the event loop needs "
        "a core; batching already makes each forward wide)",
    )
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    return p


def _run_serve(args, parser):
    try:  # the serving stack is an optional extra
        from kerasette.serving import BatchingOptions, serve
    except ImportError as e:
        parser.error(f"kerasette serve needs the serve extra (pip install 'kerasette[serve]'): {e}")
    if args.max_body_bytes < 1:
        parser.error(f"--max-body-bytes must be >= 1, got {args.max_body_bytes}")
    if args.num_threads < 1:
        parser.error(f"--num-threads must be >= 1, got {args.num_threads}")
    try:
        batching = BatchingOptions(args.batching, args.max_batch_size, args.batch_timeout_micros)
    except ValueError as e:
        parser.error(str(e))
    try:
        serve(
            args.path,
            name=args.name,
            host=args.host,
            port=args.port,
            batching=batching,
            poll_seconds=args.file_system_poll_wait_seconds,
            max_body_bytes=args.max_body_bytes,
            log_level=args.log_level,
            num_threads=args.num_threads,
        )
    except (ValueError, FileNotFoundError) as e:  # bad PATH, or a model that does not load
        print(f"kerasette serve: error: {e}", file=sys.stderr)
        return 1
    return 0


class _Version(argparse.Action):
    """``--version``: the core's version, read only when asked (loading _core)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="print kerasette's version and exit",
        )

    def __call__(self, parser, namespace, values, option_string=None):
        import kerasette

        print(f"kerasette {kerasette.__version__}")
        parser.exit()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kerasette")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve_parser = _serve_parser(sub)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "serve":
        return _run_serve(args, serve_parser)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
