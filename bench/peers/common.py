"""Shared timing and I/O for the python peers of `tensile bench`.

Protocol (JSON lines): the peer first prints its facts, {"peer", "version", "threads", "blas",
...}, then answers each request line {"suite", "id", "spec", "quick"} on stdin with one line
{"key": "<suite>/<id>", "seconds": median seconds per call, "samples", "number"} or
{"key", "missing": reason}, until stdin closes. Serving case by case lets `tensile bench` run
every library on a case back to back (a shared machine's load drifts).
Timing: time.perf_counter, warm-up calls, then `repeats` samples of `number` calls each
(number chosen so a sample lasts about `target` seconds); the median sample.
"""
import gc
import json
import statistics
import sys
import time
import traceback


def measure(fn, quick):
    """Median seconds per call of fn() (fn must finish its work before returning)."""
    target, repeats, warmup = (0.005, 3, 1) if quick else (0.25, 7, 3)
    t0 = time.perf_counter()
    for _ in range(warmup):
        fn()
    one = (time.perf_counter() - t0) / warmup
    if one >= 1.0 and not quick:
        # Slow calls (e.g. a big matmul on a slow library): a few single-call samples.
        repeats = max(1, min(repeats, int(10.0 / one)))
        number = 1
    else:
        number = max(1, int(target / max(one, 1e-9)))
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t) / number)
    return {"seconds": statistics.median(samples), "samples": len(samples), "number": number}


def tensor_case(spec, randn, ops):
    """The cases every array library answers alike: matmul, elementwise, reduce, overhead.
    ops maps "matmul", "add", "mul", "relu", "sum" (x, axis or None) and "item" (a 1-element
    result to a Python float) to the library's functions; None for another kind of case."""
    kind = spec["kind"]
    if kind == "matmul":
        a, b = randn(spec["m"], spec["k"]), randn(spec["k"], spec["n"])
        return lambda: ops["matmul"](a, b)
    if kind == "elementwise":
        a, b = randn(spec["n"]), randn(spec["n"])
        op = spec["op"]
        if op == "relu":
            return lambda: ops["relu"](a)
        if op in ("add", "mul"):
            f = ops[op]
            return lambda: f(a, b)
        return "no %s" % op
    if kind == "reduce":
        x = randn(*spec["shape"])
        axis = spec["axis"]
        return lambda: ops["sum"](x, axis)
    if kind == "overhead":
        a, b = randn(1), randn(1)
        if spec["read"]:
            return lambda: ops["item"](ops["add"](a, b))
        return lambda: ops["add"](a, b)
    return None


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(prepare, header):
    """prepare(suite, spec, quick) -> fn or a string reason (missing). Answers until EOF."""
    send(header)
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        key = case["suite"] + "/" + case["id"]
        quick = bool(case.get("quick"))
        fn = None
        try:
            fn = prepare(case["suite"], case["spec"], quick)
            if isinstance(fn, str):
                send({"key": key, "missing": fn})
            else:
                send(dict(measure(fn, quick), key=key))
        except Exception as e:  # a failing case is reported, not fatal
            traceback.print_exc(file=sys.stderr)
            send({"key": key, "missing": "error: %s: %s" % (type(e).__name__, e)})
        del fn
        gc.collect()


def blas_info():
    """Which BLAS numpy (and torch, through the same process) loaded: threadpoolctl if present."""
    try:
        import threadpoolctl
        return [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer", "filepath")}
            for d in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        pass
    try:
        import numpy
        cfg = numpy.__config__
        info = getattr(cfg, "blas_opt_info", None) or getattr(cfg, "CONFIG", {}).get("Build Dependencies", {}).get("blas")
        return [{"config": info}]
    except Exception as e:  # pragma: no cover
        return [{"error": str(e)}]
