"""The governance domain: its rules, independent of HTTP and Kafka."""
