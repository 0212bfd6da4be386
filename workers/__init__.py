"""RQ job functions: thin wrappers that open a session and call the gateway's domain functions."""
