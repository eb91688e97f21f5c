"""Old card paths of lessons 5.2 and 5.4; the code is in ``srgan`` and ``heldout``.

The zoo cards name ``scratchvision.imaging.recipes_sr:train_srgan``, ``:eval_sr`` and
``:realistic_pair``; this module keeps those paths resolving.
"""

from scratchvision.imaging.heldout import eval_sr
from scratchvision.imaging.pairs import realistic_pair
from scratchvision.imaging.srgan import train_srgan

__all__ = ["eval_sr", "realistic_pair", "train_srgan"]
