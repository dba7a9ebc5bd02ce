"""Editorial intake from contributing units: who sends what, import, report and plan."""
