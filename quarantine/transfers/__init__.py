"""Transfer batches: people a sending county hands over to headquarters."""
