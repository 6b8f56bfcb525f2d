"""Runs the probe consumer as its own process, so that a test can kill it with SIGKILL.

Usage: python -m tests.support.probe_consumer_process DATABASE_URL COMMIT_INTERVAL_SECONDS
(Kafka settings and the topic prefix come from the environment.)
"""

import asyncio
import sys

from libs.db import make_engine
from libs.settings import PlatformSettings
from tests.support.probe import make_consumer


def main() -> None:
    engine = make_engine(sys.argv[1])
    consumer = make_consumer(engine, PlatformSettings(), float(sys.argv[2]))
    asyncio.run(consumer.run())


if __name__ == "__main__":
    main()
