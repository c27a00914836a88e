"""Known-broken Trio ports. Each must be caught by the shared suite: a test of the tests."""
