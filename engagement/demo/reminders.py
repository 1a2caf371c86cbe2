"""Demo data for this part of engagement (filled in with the part)."""


def seed() -> None:
    return None
