"""Errors a user can cause. The CLI maps them to exit code 2, the API to 4xx."""


class UnspinError(Exception):
    """A problem with the input or the request, reported as one line."""

    status_code = 422


class InputError(UnspinError):
    """The article could not be read or holds no usable text."""


class FetchError(UnspinError):
    """A URL could not be fetched, or was refused for safety."""

    status_code = 400


class TooLargeError(UnspinError):
    """The input is over a stated size limit."""

    status_code = 413


class ModelError(UnspinError):
    """The model directory is missing or incomplete."""
