"""The REST API at /api/v1 (flask-smorest): sites, the capacity forecast, batches and planning runs."""
