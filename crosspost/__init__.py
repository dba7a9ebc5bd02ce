"""crosspost: publish approved content, adapted per platform, to Facebook, YouTube and X."""

__version__ = "0.1.0"
