"""Command line (placeholder until the CLI lands)."""


def main() -> None:
    raise SystemExit("archstat CLI is not built yet")
