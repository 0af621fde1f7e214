"""Durable state of the service: database tables, content-addressed blobs, the job queue."""
