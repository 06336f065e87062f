"""HTTP plumbing: the page cache, conditional GET, health probes, request logs,
client addresses, error pages and the release id."""
