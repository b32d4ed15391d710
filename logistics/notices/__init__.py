"""Public notices (公示): frozen snapshots that apps publish, rendered as HTML, PDF and Excel."""
