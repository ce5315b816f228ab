"""Child process for the memory figure: the real application (settings from the environment,
as `python -m bot` reads them) runs one poll cycle, says "cycled", and waits for its stdin
to close while the parent reads its VmRSS. It imports nothing of the stand-ins."""

from __future__ import annotations

import asyncio
import sys

from bench.runner import run_cycle, running
from bot.config import load_settings


async def main() -> None:
    settings = load_settings(_env_file=None)
    async with running(settings) as application:
        seconds = await run_cycle(application)
        print(f"cycled {seconds:.2f}", flush=True)
        await asyncio.to_thread(sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
