"""Synthetic population generator with ground truth, for the demo, tests and benchmarks.

Everything it produces is synthetic. The same options (seed, as-of date, people, LAs, format)
always give byte-identical files::

    from yep.synth import generate, SynthConfig
    manifest = generate(SynthConfig(people=5000, seed=1, out=Path("var/synth")), progress=True)
"""

from yep.synth.config import SynthConfig, SynthConfigError
from yep.synth.generator import generate
from yep.synth.output import Manifest

__all__ = ["Manifest", "SynthConfig", "SynthConfigError", "generate"]
