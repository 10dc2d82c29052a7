"""Notices and their delivery, and hooks run after recorded events."""
