"""Small-cell suppression in operation: fast enough to run on request, and free of Django."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from results import suppression
from results.suppression import recoverable_cells, suppress_table


def test_a_200_by_50_table_is_suppressed_quickly():
    """Results pages and exports suppress tables on request: 200 service points x 50
    categories, with many small cells, in well under 100 ms (best of three runs)."""
    rng = np.random.default_rng(0)
    size = np.outer(rng.lognormal(0, 1.5, 200), rng.lognormal(0, 1, 50))
    counts = rng.poisson(size * 3)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = suppress_table(counts, 5)
        timings.append(time.perf_counter() - start)
    assert result.primary.sum() > 1000
    assert min(timings) < 0.1
    assert recoverable_cells([result]) == []


def test_suppression_module_imports_without_django():
    """Suppression runs in workers and exports without a database or settings."""
    root = Path(suppression.__file__).parents[2]
    code = (
        "import sys\n"
        "import results.suppression, results.suppression.intervals\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
