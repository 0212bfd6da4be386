"""The web edge: blueprints for webhooks, the JSON API and the console."""
