"""What a training run measured: a record per epoch or K steps; every step's loss."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    """What :func:`scratchvision.train.fit` measured.

    ``epochs`` holds one record per pass over the data, or per ``log_every`` steps of a
    stream: ``{"epoch": 3, ...}`` or ``{"step": 300, ...}``, then ``train_<name>`` for
    every value the step function returned (``train_loss``, ``train_acc``, ...),
    ``val_<name>`` when there is a validation loader, and ``seconds``. ``steps`` holds
    the loss of every optimiser step. :func:`scratchvision.plot.plot_history` draws it.
    """

    epochs: list[dict[str, float]] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)

    def series(self, key: str) -> list[float]:
        """All records' values of one key, e.g. ``history.series("val_acc")``."""
        return [record[key] for record in self.epochs if key in record]

    @property
    def seconds(self) -> float:
        """Total training time."""
        return sum(record["seconds"] for record in self.epochs)

    def last(self, key: str) -> float:
        """The final record's value of ``key``."""
        values = self.series(key)
        if not values:
            raise ValueError(
                "History.last: key must be one of "
                f"{sorted(self.epochs[-1]) if self.epochs else []}, got {key!r}"
            )
        return values[-1]
