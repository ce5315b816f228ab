"""The rules behind the handlers: panel and repository work, with no screens in it."""
