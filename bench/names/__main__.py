"""`python -m bench.names`: the names evaluation on its own (no database)."""

import json

from bench.names import run

print(json.dumps(run(), indent=2, ensure_ascii=False))
