"""The sc-improve desktop app (PySide6). The only package allowed to import Qt."""
