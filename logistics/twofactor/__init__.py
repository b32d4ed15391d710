"""Two-factor sign-in with django-otp: a TOTP device (phone authenticator app) plus one-use
recovery codes (a static device) for the roles named in settings.TWO_FACTOR_ROLES and for
system administrators.

The password step is the ordinary login page. A signed-in user who owes a second factor is held
back by `middleware.TwoFactorMiddleware` on every page but the second step itself: sent to
enrol when they have no device yet, otherwise to give a code. Wrong codes count as failed
logins with django-axes, like wrong passwords.
"""
