"""Accounts and the sites each may work on."""
