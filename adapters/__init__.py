"""Platform adapters, installed as ``crosspost.adapters``; the contract is in ``base``."""
