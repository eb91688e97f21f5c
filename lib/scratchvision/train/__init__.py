"""Training: one loop for every kind of batch, its record, and the hooks around it.

* ``loop``: ``fit`` (epochs over a data set, or a step budget on a stream) and
  ``evaluate``; the step function owns the loss, the loop knows nothing of the model;
* ``steps``: ``supervised_step``, the default step on (inputs, targets) pairs;
* ``history``: ``History``, what ``fit`` measured;
* ``ema``: ``ema_update``, the teacher that follows its student (an ``after_step``);
* ``seed``: ``seed_everything``, for repeatable notebooks;
* ``schedules``: ``warmup_cosine``, a linear warm-up then a cosine decay.
"""

from scratchvision.train.ema import ema_update
from scratchvision.train.history import History
from scratchvision.train.loop import evaluate, fit
from scratchvision.train.schedules import warmup_cosine
from scratchvision.train.seed import seed_everything
from scratchvision.train.steps import supervised_step

__all__ = [
    "History",
    "ema_update",
    "evaluate",
    "fit",
    "seed_everything",
    "supervised_step",
    "warmup_cosine",
]
