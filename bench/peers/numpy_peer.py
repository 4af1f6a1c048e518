"""numpy peer for `tensile bench` (see common.py for the protocol): matmul, elementwise, reduce,
overhead. Inputs are seeded standard normal float32."""
import sys

from common import blas_info, send, serve


def main():
    try:
        import numpy as np
    except Exception as e:
        send({"error": "cannot import numpy: %s" % e})
        return
    rng = [None]

    def randn(*shape):
        return rng[0].standard_normal(shape, dtype=np.float32)

    def prepare(suite, spec, quick):
        rng[0] = np.random.default_rng(1234)  # every case starts from the same seed
        kind = spec["kind"]
        if kind == "matmul":
            a, b = randn(spec["m"], spec["k"]), randn(spec["k"], spec["n"])
            return lambda: np.matmul(a, b)
        if kind == "elementwise":
            a, b = randn(spec["n"]), randn(spec["n"])
            op = spec["op"]
            if op == "add":
                return lambda: np.add(a, b)
            if op == "mul":
                return lambda: np.multiply(a, b)
            if op == "relu":
                return lambda: np.maximum(a, np.float32(0))
            return "no %s" % op
        if kind == "reduce":
            x = randn(*spec["shape"])
            axis = spec["axis"]
            return lambda: np.sum(x, axis=axis)
        if kind == "overhead":
            a, b = randn(1), randn(1)
            if spec["read"]:
                return lambda: float(np.add(a, b)[0])
            return lambda: np.add(a, b)
        return "not applicable"

    header = {
        "peer": "numpy",
        "version": np.__version__,
        "python": sys.version.split()[0],
        "blas": blas_info(),
    }
    serve(prepare, header)


if __name__ == "__main__":
    main()
