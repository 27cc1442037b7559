"""creditnet's library: the domain model, the stores, the loaders and the queries."""
