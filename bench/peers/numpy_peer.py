"""numpy peer for `tensile bench` (see common.py for the protocol): matmul, elementwise, reduce,
overhead. Inputs are seeded standard normal float32."""
import sys

from common import blas_info, send, serve, tensor_case


def main():
    try:
        import numpy as np
    except Exception as e:
        send({"error": "cannot import numpy: %s" % e})
        return
    rng = [None]

    def randn(*shape):
        return rng[0].standard_normal(shape, dtype=np.float32)

    ops = {
        "matmul": np.matmul,
        "add": np.add,
        "mul": np.multiply,
        "relu": lambda a: np.maximum(a, np.float32(0)),
        "sum": lambda x, axis: np.sum(x, axis=axis),
        "item": lambda r: float(r[0]),
    }

    def prepare(suite, spec, quick):
        rng[0] = np.random.default_rng(1234)  # every case starts from the same seed
        case = tensor_case(spec, randn, ops)
        return "not applicable" if case is None else case

    header = {
        "peer": "numpy",
        "version": np.__version__,
        "python": sys.version.split()[0],
        "blas": blas_info(),
    }
    serve(prepare, header)


if __name__ == "__main__":
    main()
