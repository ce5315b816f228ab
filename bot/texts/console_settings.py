"""console_settings (the operators' console)"""

from __future__ import annotations
