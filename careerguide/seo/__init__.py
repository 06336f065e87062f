"""What search engines and social sites read: sitemaps, JSON-LD and social cards."""
