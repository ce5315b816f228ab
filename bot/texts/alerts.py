"""alerts (the operators' console)"""

from __future__ import annotations
