"""Waiting for htmx in browser tests."""

from playwright.sync_api import expect


def settled(page):
    """Wait until htmx has settled its last swap. A swapped-in picker takes the focus back to
    its text box only then (20 ms after it shows), so typing into another field before that
    would be cut short when the focus moves."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-added")).to_have_count(0)
