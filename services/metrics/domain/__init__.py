"""The metrics domain: its rules, independent of HTTP and Kafka."""
