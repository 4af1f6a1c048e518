"""Shared timing and I/O for the python peers of `tensile bench`.

A peer reads a JSON request on stdin, {"quick": bool, "cases": [{"suite", "id", "spec"}, ...]},
and prints one JSON object on stdout: {"peer", "version", "threads", ..., "results": {key: cell}}
where key is "<suite>/<id>" and a cell is {"seconds": median seconds per call, "samples", "number"}
or {"missing": reason}. Timing: time.perf_counter, warmup calls, then `repeats` timed samples of
`number` calls each (number chosen so a sample lasts about `target` seconds); the median sample.
"""
import json
import statistics
import sys
import time
import traceback


def read_request():
    return json.load(sys.stdin)


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


def run_cases(request, prepare, header):
    """prepare(suite, spec) -> fn or a string reason (missing); prints the JSON report."""
    quick = bool(request.get("quick"))
    results = {}
    for case in request["cases"]:
        key = case["suite"] + "/" + case["id"]
        try:
            fn = prepare(case["suite"], case["spec"], quick)
            if isinstance(fn, str):
                results[key] = {"missing": fn}
                continue
            results[key] = measure(fn, quick)
        except Exception as e:  # a failing case is reported, not fatal
            results[key] = {"missing": "error: %s: %s" % (type(e).__name__, e)}
            traceback.print_exc(file=sys.stderr)
    out = dict(header)
    out["results"] = results
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


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
