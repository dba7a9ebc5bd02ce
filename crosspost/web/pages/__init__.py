"""The web pages: one module per page, each a few thin routes (parse, call the core, render)."""
