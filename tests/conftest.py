from __future__ import annotations

import sys
from pathlib import Path

# Test helpers (e.g. the adding-doubling reference) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
