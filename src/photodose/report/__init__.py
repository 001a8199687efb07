"""Services: the evaluation of a device for a person, and its HTML report."""
