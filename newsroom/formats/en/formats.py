"""Date formats for English (en, en-GB): every date and time Django prints by itself (the
admin's read-only fields, change history) names its zone. Templates that choose their own
format are unaffected."""

DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
