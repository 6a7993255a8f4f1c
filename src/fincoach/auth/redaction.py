"""Keep secrets out of logs written by libraries we do not control.

requests-oauthlib logs, at DEBUG, the token request body (authorization code, client secret)
and the token response (access and refresh tokens). Its loggers are held at INFO, whatever the
root level, so turning on DEBUG to chase a bug never writes a refresh token to a log.
"""

import logging

SECRET_LOGGERS = ("requests_oauthlib", "oauthlib")


def quiet_secret_loggers() -> None:
    for name in SECRET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
