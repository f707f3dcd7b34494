"""The API's settings (DRF and drf-spectacular), kept apart so ``settings.py`` reads as the
deployment's knobs; ``settings.py`` imports both names."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON answers only: DRF's browsable pages carry inline styles the Content-Security-Policy
    # forbids; people try the API in Swagger UI (/api/docs/), which is CSP-clean.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (uploads declare multipart) and strict paging: lib/api_defaults.py.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "lib.api_defaults.StrictLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "lib.api_errors.exception_handler",
    # `?format=csv|xlsx|json` chooses a results download, not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Waypoint API",
    "DESCRIPTION": (
        "Waypoint hosts XLSForm questionnaires for Humanitarian Service Points, receives "
        "submissions from ODK Collect, KoboCollect and Enketo over OpenRosa, anonymises them "
        "and serves aggregated results. Authenticate with `Authorization: Token <token>` "
        "(from `manage.py demo --json` or the admin) or a session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from this server (drf-spectacular-sidecar): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from Swagger's online validator: it would send the schema's address to a third
    # party (and the CSP blocks it anyway).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["lib.openapi.add_refusals"],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "FormStateEnum": "forms.models.FormState",
        "DeviceKindEnum": "accounts.models.Device.Kind",
    },
}
