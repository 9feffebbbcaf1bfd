"""Running notebooks: the plan checked before anything runs (``plan``), execution on warm kernels
(``execute``, ``pool``, ``kernels``, ``warmup``), the command line (``cli``) and the Voilà app (``app``)."""
