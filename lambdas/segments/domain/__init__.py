"""Pure domain logic: no AWS imports, no I/O."""
