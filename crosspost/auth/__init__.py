"""Getting credentials from each platform (`crosspost auth PLATFORM ACCOUNT`).

Each module's `authorize(...)` runs the platform's own authorisation flow and returns the
credential values, keyed by the names the adapter reads; the CLI stores them (secrets file,
mode 0600). Nothing here writes files or logs a secret.
"""
