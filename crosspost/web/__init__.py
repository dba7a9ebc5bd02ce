"""The web workspace: FastAPI routes (thin, like cli/), templates, static files, auth."""
