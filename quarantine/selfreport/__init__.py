"""Residents reporting themselves from the QR code on their door card (no account, no app), and the staff pages that read what they report."""
