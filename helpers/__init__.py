"""Ketamine evidence suite: tables, charts and explorers.

Educational use only; not medical advice. Every figure comes from one of five
web articles (see ``load("sources")``) and carries the sentence it came from.
The package's names are imported on first use, so ``python -m helpers.data.provenance``
runs with the standard library alone.
"""

DISCLAIMER = "Educational use only, not medical advice."  # the sentence every page and image carries
EDUCATIONAL_NOTE = (
    f"{DISCLAIMER} The figures are what five web articles say "
    "(a clinic's marketing page, patient-advocacy blogs, a naturopath's article, a wellness "
    "centre's post); they are not checked against the studies. Doses and routes shown here "
    "are not recommendations."
)

# Kernel start-up: altair -> jsonschema -> rfc3987_syntax builds ~35 parsers (about 2 s) for IRI
# checks nothing here uses. Defer that module to its first real use; validation is unchanged.
# Why and how: helpers/_lazy_iri.py. Standard library only, so this costs nothing here.
from helpers import _lazy_iri  # noqa: E402 - after the constant, before anything imports altair

_lazy_iri.install()

__all__ = ["DISCLAIMER", "EDUCATIONAL_NOTE", "EvidenceValidationError", "load", "load_all", "where", "with_sources"]


def __getattr__(name):
    if name in {"EvidenceValidationError", "load", "load_all", "where", "with_sources"}:
        from helpers.data import tables as data

        return getattr(data, name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
