"""The whole service on one machine, for development: `fincoach stack` and the process tests.

Processes (`processes`), the settings that point the service at `fincoach gmail-emulator`
(`emulator`), the OAuth connect a browser would do (`connect`) and the database it needs
(`database`). Nothing here is used by the service itself.
"""
