"""The reuse domain: its rules, independent of HTTP and Kafka."""
