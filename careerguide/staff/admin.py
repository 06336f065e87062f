"""django-otp's device admins, for superusers only.

django-otp registers admins for TOTP and recovery-code devices on `admin.site`,
gated by model permissions. Nobody but a superuser should see or delete another
person's second factor, so they are registered again, superuser-only. Secrets
(TOTP keys, recovery codes) stay hidden even then (OTP_ADMIN_HIDE_SENSITIVE_DATA):
a superuser deletes a lost device, the owner enrols again.
"""

from django.contrib import admin


def superuser_only(model_admin):
    """A subclass of `model_admin` that answers every permission with is_superuser."""

    def allowed(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    return type(
        model_admin.__name__,
        (model_admin,),
        {
            "__module__": __name__,
            "has_module_permission": lambda self, request: allowed(self, request),
            "has_view_permission": allowed,
            "has_change_permission": allowed,
            "has_delete_permission": allowed,
            # Devices are created by enrolment, never typed in by someone else.
            "has_add_permission": lambda self, request: False,
        },
    )


def restrict_device_admins():
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            current = type(admin.site.get_model_admin(model))
            admin.site.unregister(model)
            admin.site.register(model, superuser_only(current))
