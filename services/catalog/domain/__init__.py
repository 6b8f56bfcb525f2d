"""The catalog domain: its rules, independent of HTTP and Kafka."""
