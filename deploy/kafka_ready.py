"""Exit 0 when a Kafka metadata request to the given bootstrap server succeeds."""

import asyncio
import sys

from aiokafka.admin import AIOKafkaAdminClient


async def main(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await admin.start()
    try:
        await admin.list_topics()
    finally:
        await admin.close()


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(sys.argv[1]), timeout=5))
    except Exception as exc:  # any failure means "not ready yet"
        print(f"not ready: {exc!r}", file=sys.stderr)
        sys.exit(1)
