"""Renderers of the declarative views: ``widget`` (JupyterLab, Voilà) and ``page`` (saved HTML)."""
