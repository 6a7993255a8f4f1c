"""Generic building blocks shared by every domain slice."""
