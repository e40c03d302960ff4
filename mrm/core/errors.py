class ServiceError(Exception):
    """A domain rule refused the change; the message is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
