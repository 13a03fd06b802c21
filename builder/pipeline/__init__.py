"""The county run: each village read, checked and modelled, wrapped by the cache and the worker processes."""
