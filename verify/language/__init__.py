"""The claim language: a safe whitelist parser from statement text to an expression tree."""
from .parser import FUNCTIONS, Node, Relation, parse_relation, parse_expression

__all__ = ["FUNCTIONS", "Node", "Relation", "parse_relation", "parse_expression"]
