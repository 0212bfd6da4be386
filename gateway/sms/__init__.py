"""SMS plumbing: segment counting and the transports (outbox recorder, Twilio REST)."""
