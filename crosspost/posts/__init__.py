"""The post store: the only code that creates posts and attempts or changes their state."""
