"""Tests that open the built site in Chromium (a package, so its conftest is not `conftest`)."""
