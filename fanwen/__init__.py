"""范文库 (fanwen): import model documents into a MkDocs site and fill writing templates."""

__version__ = "0.1.0"
