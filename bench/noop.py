"""The pipeline benchmark's baseline job: does nothing."""


def noop(_inbound_id: int) -> None:
    return None
