"""Staff sign-in: the admin site (`admin.site`) with a second factor.

Staff enter their password, then a code from an authenticator app (TOTP) or a
one-time recovery code; django-otp keeps the devices, verifies the codes and
throttles guessing. See `sites.StaffAdminSite` and `views`.
"""
