"""Checking engines: exact/symbolic (SymPy, z3), high precision (mpmath), certified (python-flint
ball arithmetic), float64 (search), counterexample search."""
