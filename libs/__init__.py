"""Code shared by every Bayanat service: nothing here belongs to one service's domain."""
