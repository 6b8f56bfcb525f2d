"""The four Bayanat services. Each is its own app with its own database; none imports another."""
