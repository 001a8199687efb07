"""photodose: red light therapy, measured."""

__version__ = "0.1.0"
